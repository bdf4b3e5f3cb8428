//! The research's settings: folds, scheme and training window, objective, entries, sides and
//! the grid of 1–3 tunables (the simulation's cost, horizon and trailing are the trade's above;
//! the base theta is the current one).

use leptos::prelude::*;

use crate::research::axis_row::AxisRow;
use crate::research::context::ResearchCtx;
use harvest_features::replay::{Sides, SweepAxis};
use harvest_features::research::{Grid, Objective, Scheme};
use harvest_kernel::{ThetaField, PARAMS};

/// The form.
#[component]
pub fn ResearchSettingsForm(
    /// The panel's state.
    r: ResearchCtx,
) -> impl IntoView {
    let count = move |ev: &leptos::ev::Event| {
        event_target_value(ev)
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
    };
    let add_axis = move |_| {
        let theta = r.rc.ctx.state.with_untracked(|s| s.theta);
        r.axes.update(|a| {
            if a.len() < 3 {
                let free = PARAMS
                    .iter()
                    .filter_map(|p| ThetaField::from_key(p.key))
                    .find(|f| a.iter().all(|x| x.field != *f));
                if let Some(f) = free {
                    a.push(SweepAxis::around(f, &theta, 5));
                }
            }
        });
    };
    let grid_note = move || {
        r.axes.with(|a| match Grid::new(a.clone()) {
            Ok(g) => format!(
                "{} cells + the base theta, each backtested on every fold's trades.",
                harvest_features::format::fmt_count(g.cells())
            ),
            Err(e) => format!("The grid cannot run: {e}."),
        })
    };
    let objectives = Objective::ALL
        .iter()
        .map(|o| {
            let key = o.as_str();
            view! { <option value=key selected=move || r.objective.get().as_str() == key>{o.label()}</option> }
        })
        .collect_view();
    let rows = move || (0..r.axes.with(Vec::len)).collect::<Vec<_>>();
    view! {
        <div class="replay-controls research-settings">
            <label>
                "Folds "
                <input
                    type="number"
                    min="1"
                    max="50"
                    step="1"
                    data-testid="research-fold-count"
                    prop:value=move || r.folds.get().to_string()
                    on:change=move |ev| {
                        if let Some(n) = count(&ev) {
                            r.folds.set(n);
                        }
                    }
                />
            </label>
            <label>
                "Scheme "
                <select
                    data-testid="research-scheme"
                    prop:value=move || r.scheme.get().as_str()
                    on:change=move |ev| {
                        if let Some(s) = Scheme::parse(&event_target_value(&ev)) {
                            r.scheme.set(s);
                        }
                    }
                >
                    <option value="rolling">"rolling"</option>
                    <option value="anchored">"anchored"</option>
                </select>
            </label>
            <label title="Segments in a rolling in-sample window">
                "Train segments "
                <input
                    type="number"
                    min="1"
                    max="50"
                    step="1"
                    data-testid="research-train"
                    prop:value=move || r.train.get().to_string()
                    on:change=move |ev| {
                        if let Some(n) = count(&ev) {
                            r.train.set(n);
                        }
                    }
                />
            </label>
            <label>
                "Objective "
                <select
                    data-testid="research-objective"
                    on:change=move |ev| {
                        if let Some(o) = Objective::parse(&event_target_value(&ev)) {
                            r.objective.set(o);
                        }
                    }
                >
                    {objectives}
                </select>
            </label>
            <label>
                "Enter every "
                <input
                    type="number"
                    min="1"
                    step="1"
                    data-testid="research-every"
                    prop:value=move || r.every.get().to_string()
                    on:change=move |ev| {
                        if let Some(n) = count(&ev) {
                            r.every.set(n);
                        }
                    }
                />
                " bars"
            </label>
            <label>
                "Sides "
                <select
                    data-testid="research-sides"
                    prop:value=move || r.sides.get().as_str()
                    on:change=move |ev| {
                        if let Some(s) = Sides::parse(&event_target_value(&ev)) {
                            r.sides.set(s);
                        }
                    }
                >
                    <option value="long">"LONG"</option>
                    <option value="short">"SHORT"</option>
                    <option value="both">"both"</option>
                </select>
            </label>
        </div>
        <div class="research-grid">
            <For each=rows key=|k| *k let:k>
                <AxisRow r=r k=k />
            </For>
            <button
                type="button"
                data-testid="research-add-axis"
                disabled=move || r.axes.with(|a| a.len() >= 3)
                on:click=add_axis
            >
                "Add a tunable"
            </button>
            <p class="hint" data-testid="research-grid-note">{grid_note}</p>
        </div>
    }
}
