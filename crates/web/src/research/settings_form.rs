//! The research's settings: folds, scheme and training window, objective, entries, sides and
//! the grid of 1–3 tunables (the simulation's cost, horizon and trailing are the trade's above;
//! the base theta is the current one).

use leptos::prelude::*;

use crate::research::axis_row::AxisRow;
use crate::research::choice_field::ChoiceField;
use crate::research::context::ResearchCtx;
use crate::research::count_field::CountField;
use harvest_features::replay::{Sides, SweepAxis};
use harvest_features::research::{Grid, Objective, Scheme};
use harvest_kernel::{ThetaField, PARAMS};

/// The form.
#[component]
pub fn ResearchSettingsForm(
    /// The panel's state.
    r: ResearchCtx,
) -> impl IntoView {
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
        .map(|o| (o.as_str(), o.label()))
        .collect();
    let rows = move || (0..r.axes.with(Vec::len)).collect::<Vec<_>>();
    view! {
        <div class="replay-controls research-settings">
            <CountField label="Folds" testid="research-fold-count" value=r.folds max=50 />
            <ChoiceField
                label="Scheme"
                testid="research-scheme"
                value=r.scheme
                options=vec![("rolling", "rolling"), ("anchored", "anchored")]
                spell=Scheme::as_str
                parse=Scheme::parse
            />
            <CountField
                label="Train segments"
                testid="research-train"
                value=r.train
                max=50
                title="Segments in a rolling in-sample window"
            />
            <ChoiceField
                label="Objective"
                testid="research-objective"
                value=r.objective
                options=objectives
                spell=Objective::as_str
                parse=Objective::parse
            />
            <CountField label="Enter every" testid="research-every" value=r.every unit="bars" />
            <ChoiceField
                label="Sides"
                testid="research-sides"
                value=r.sides
                options=vec![("long", "LONG"), ("short", "SHORT"), ("both", "both")]
                spell=Sides::as_str
                parse=Sides::parse
            />
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
