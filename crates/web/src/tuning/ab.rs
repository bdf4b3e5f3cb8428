//! A/B theta comparison: pin the current theta as A, then the theta sliders edit B; every
//! position of the chosen set whose action, proposed stop or K trigger changes is listed
//! ([`harvest_features::tuning::compare_thetas`], in words by
//! [`harvest_features::tuning::ab_view::ab_summary`]). The comparison reruns shortly after the
//! last change, so a drag recomputes once it rests.

use std::time::Duration;

use leptos::prelude::*;

use crate::context::Ctx;
use crate::nav::Nav;
use crate::tuning::ab_results::AbResults;
use crate::tuning::context::TuneCtx;
use harvest_features::nav::View;
use harvest_features::tuning::ab_view::{ab_summary, open_state, AbSummary, SetChoice};
use harvest_features::tuning::{
    compare_thetas, grid_positions, scenario_positions, GridSpec, PositionSet,
};
use harvest_kernel::HarvestInput;

/// Rows listed (the counts cover every position).
const MAX_ROWS: usize = 100;
/// The comparison waits this long after the last change.
const DEBOUNCE: Duration = Duration::from_millis(120);

/// What the results show: nothing until A is pinned, then the comparison or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum AbOutcome {
    /// A is not pinned.
    Unpinned,
    /// Compared; `empty` when the set had no positions.
    Compared {
        /// The comparison in words.
        summary: AbSummary,
        /// Whether the set was empty.
        empty: bool,
    },
    /// Theta A or B is invalid: every problem.
    Invalid(Vec<String>),
}

fn empty_set() -> PositionSet {
    PositionSet {
        name: String::new(),
        labels: Vec::new(),
        inputs: Vec::new(),
    }
}

/// The positions of `choice`: the replay steps, the grid around the shown input, or every
/// record loaded in the reviewer that has inputs (labelled `file:line symbol`).
fn positions(ctx: Ctx, nav: Nav, choice: SetChoice) -> PositionSet {
    match choice {
        SetChoice::Scenarios => scenario_positions(),
        SetChoice::Grid => ctx.shown.with_untracked(|s| {
            let base = s.as_ref().map(|s| s.input.clone()).unwrap_or_default();
            grid_positions(&base, &GridSpec::default()).unwrap_or_else(|_| empty_set())
        }),
        SetChoice::Reviewer => nav.review.get_untracked().map_or_else(empty_set, |rc| {
            rc.store.with_value(|st| {
                let mut set = empty_set();
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
    let nav = Nav::get();
    let outcome = RwSignal::new(AbOutcome::Unpinned);
    // The compared positions (for "Open") and the debounce timer.
    let inputs = StoredValue::new(Vec::<HarvestInput>::new());
    let timer = StoredValue::new(None::<TimeoutHandle>);

    let compute = move || {
        let Some(a) = tc.pinned.get_untracked() else {
            inputs.set_value(Vec::new());
            outcome.set(AbOutcome::Unpinned);
            return;
        };
        let b = ctx.state.with_untracked(|s| s.theta);
        let set = positions(ctx, nav, tc.set_choice.get_untracked());
        outcome.set(match compare_thetas(&a, &b, &set.inputs) {
            Ok(r) => AbOutcome::Compared {
                summary: ab_summary(&r, &set.name, &set.labels, MAX_ROWS),
                empty: set.is_empty(),
            },
            Err(e) => AbOutcome::Invalid(e.iter().map(ToString::to_string).collect()),
        });
        inputs.set_value(set.inputs);
    };
    // A pinned or not, the set, theta B, the reviewer's records: now the first time, then
    // DEBOUNCE after the last change.
    Effect::new(move |prev: Option<()>| {
        tc.pinned.track();
        tc.set_choice.track();
        ctx.state.track();
        if let Some(rc) = nav.review.get() {
            rc.version.track();
        }
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        if prev.is_none() {
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
    on_cleanup(move || {
        if let Some(Some(h)) = timer.try_get_value() {
            h.clear();
        }
    });

    // "Open": position `index` of the compared set into the explorer, with theta B.
    let open = Callback::new(move |index: usize| {
        let Some(input) = inputs.with_value(|v| v.get(index).cloned()) else {
            return;
        };
        let b = ctx.state.with_untracked(|s| s.theta);
        ctx.state.set(open_state(&input, b));
        nav.show(View::Explorer);
    });
    let unpinned = move || tc.pinned.with(Option::is_none);
    let sets = SetChoice::ALL
        .into_iter()
        .map(|c| {
            view! {
                <option value=c.key() prop:selected=move || tc.set_choice.get() == c>
                    {c.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <section class="card tune-ab" aria-label="A/B theta comparison">
            <h2>"A/B theta comparison"</h2>
            <div class="tune-row">
                <button
                    type="button"
                    data-testid="ab-pin"
                    on:click=move |_| tc.pinned.set(Some(ctx.state.with_untracked(|s| s.theta)))
                >
                    "Pin current theta as A"
                </button>
                <button type="button" data-testid="ab-unpin" disabled=unpinned on:click=move |_| tc.pinned.set(None)>
                    "Unpin A"
                </button>
                <button
                    type="button"
                    data-testid="ab-reset-b"
                    title="Put theta A back into the sliders"
                    disabled=unpinned
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
                    <select
                        data-testid="ab-set"
                        on:change=move |ev| {
                            if let Some(c) = SetChoice::from_key(&event_target_value(&ev)) {
                                tc.set_choice.set(c);
                            }
                        }
                    >
                        {sets}
                    </select>
                </label>
            </div>
            <p class="hint">
                "Pin the current theta as A; the theta sliders (here or in the Explorer) then edit B, and every position whose action, proposed stop or K trigger changes under B is listed."
            </p>
            <AbResults outcome=outcome open=open />
        </section>
    }
}
