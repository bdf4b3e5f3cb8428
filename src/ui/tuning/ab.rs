//! A/B theta comparison: pin the current theta as A, then the theta sliders edit B; every
//! position of the chosen set whose action, proposed stop or K trigger changes is listed
//! ([`crate::tuning::compare_thetas`]) with the counts, the net sentence and the tunables that
//! differ. "Open" loads a position into the explorer with theta B.
//!
//! The results are one HTML string ([`ab_html`]) and the "Open" buttons one delegated click
//! handler: a few hundred rows cost no view code.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::kernel::HarvestInput;
use crate::review_view::View;
use crate::tuning::{compare_thetas, grid_positions, scenario_positions, GridSpec, PositionSet};
use crate::tuning_view::{ab_html, ab_rows, li_html, open_state, SetChoice};
use crate::ui::context::Ctx;
use crate::ui::reviewer::ReviewCtx;
use crate::ui::tuning::context::TuneCtx;

/// Rows listed (the counts cover every position).
const MAX_ROWS: usize = 100;
/// The comparison waits this long after the last change (a drag recomputes once it rests).
const DEBOUNCE: Duration = Duration::from_millis(120);

fn empty() -> PositionSet {
    PositionSet {
        name: String::new(),
        labels: Vec::new(),
        inputs: Vec::new(),
    }
}

/// The positions of `choice`: the replay steps, the grid around the shown input, or every
/// record loaded in the reviewer that has inputs (labelled `file:line symbol`).
fn positions(ctx: Ctx, rc: Option<ReviewCtx>, choice: SetChoice) -> PositionSet {
    match choice {
        SetChoice::Scenarios => scenario_positions(),
        SetChoice::Grid => ctx.shown.with_untracked(|s| {
            let base = s.as_ref().map(|s| s.input.clone()).unwrap_or_default();
            grid_positions(&base, &GridSpec::default()).unwrap_or_else(|_| empty())
        }),
        SetChoice::Reviewer => rc.map_or_else(empty, |rc| {
            rc.store.with_value(|st| {
                let mut set = empty();
                set.name = "the reviewer's loaded records".to_string();
                for b in &st.batches {
                    for r in &b.rows {
                        if let Some(i) = &r.input {
                            set.labels
                                .push(format!("{}:{} {}", b.name, r.line, r.symbol));
                            set.inputs.push(i.clone());
                        }
                    }
                }
                set
            })
        }),
    }
}

/// The A/B card.
#[component]
pub fn AbCard() -> impl IntoView {
    let ctx = Ctx::get();
    let tc = TuneCtx::get();
    let rc = use_context::<ReviewCtx>();
    let html = RwSignal::new(String::new());
    let inputs = StoredValue::new(Vec::<HarvestInput>::new());
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let select = NodeRef::<leptos::html::Select>::new();

    let compute = move || {
        let Some(a) = tc.pinned.get_untracked() else {
            html.set(String::new());
            return;
        };
        let b = ctx.state.with_untracked(|s| s.theta);
        let set = positions(ctx, rc, tc.set_choice.get_untracked());
        let h = match compare_thetas(&a, &b, &set.inputs) {
            Ok(r) => {
                let mut h = ab_html(&r, &set.name, &ab_rows(&r, &set.labels, MAX_ROWS));
                if set.is_empty() {
                    h.push_str("<p class=\"err\">This set has no positions: load records in the Reviewer first, or pick another set.</p>");
                }
                h
            }
            Err(e) => format!(
                "<p class=\"err\">Theta A or B is invalid, so nothing was compared:</p><ul class=\"err\">{}</ul>",
                li_html(&e)
            ),
        };
        inputs.set_value(set.inputs);
        html.set(h);
    };
    Effect::new(move |prev: Option<()>| {
        let pinned = tc.pinned.with(Option::is_some);
        let choice = tc.set_choice.get();
        ctx.state.track();
        if let Some(rc) = rc {
            rc.version.track();
        }
        if let Some(sel) = select.get() {
            sel.set_value(choice.key());
        }
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        if prev.is_none() || !pinned {
            compute();
            return;
        }
        let h = set_timeout_with_handle(
            move || {
                if timer.try_set_value(None).is_none() {
                    compute();
                }
            },
            DEBOUNCE,
        )
        .ok();
        timer.set_value(h);
    });

    let pin = move |_| {
        tc.pinned.set(Some(ctx.state.with_untracked(|s| s.theta)));
    };
    // "Open": one handler for every row's button (its `data-index`).
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let index = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("[data-index]").ok().flatten())
            .and_then(|e| e.get_attribute("data-index"))
            .and_then(|i| i.parse::<usize>().ok());
        let Some(input) = index.and_then(|i| inputs.with_value(|v| v.get(i).cloned())) else {
            return;
        };
        let b = ctx.state.with_untracked(|s| s.theta);
        ctx.state.set(open_state(&input, b));
        if let Some(rc) = rc {
            rc.show(View::Explorer);
        }
    };
    let on_set = move |ev: leptos::ev::Event| {
        if let Some(c) = SetChoice::from_key(&event_target_value(&ev)) {
            tc.set_choice.set(c);
        }
    };
    let options = SetChoice::ALL
        .into_iter()
        .map(|c| view! { <option value=c.key()>{c.label()}</option> })
        .collect_view();
    let unpinned = move || tc.pinned.with(Option::is_none);
    view! {
        <section class="card tune-ab" aria-label="A/B theta comparison">
            <h2>"A/B theta comparison"</h2>
            <div class="tune-row">
                <button type="button" data-testid="ab-pin" on:click=pin>
                    "Pin current theta as A"
                </button>
                <button
                    type="button"
                    data-testid="ab-unpin"
                    disabled=unpinned
                    on:click=move |_| tc.pinned.set(None)
                >
                    "Unpin A"
                </button>
                <button
                    type="button"
                    data-testid="ab-reset-b"
                    disabled=unpinned
                    title="Put theta A back into the sliders"
                    on:click=move |_| {
                        if let Some(a) = tc.pinned.get_untracked() {
                            ctx.state.update(|s| s.theta = a);
                        }
                    }
                >
                    "Set B = A"
                </button>
                <label>
                    "Positions "
                    <select node_ref=select data-testid="ab-set" on:change=on_set>
                        {options}
                    </select>
                </label>
            </div>
            <p class="hint">
                "Pin the current theta as A; the theta sliders (here or in the Explorer) then edit B, and every position whose action, proposed stop or K trigger changes under B is listed."
            </p>
            <div data-testid="ab-results" inner_html=move || html.get() on:click=on_click></div>
        </section>
    }
}
