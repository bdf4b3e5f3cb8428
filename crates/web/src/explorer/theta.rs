//! Every tunable, grouped as the dashboard's table (`explorer::params`) groups them, with reset
//! buttons.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::{ThetaControl, ThetaIo};
use harvest_kernel::Theta;
use harvest_kernel::{ParamGroup, ThetaField};

/// The theta fieldset.
#[component]
pub fn ThetaPanel() -> impl IntoView {
    let ctx = Ctx::get();
    let groups = ParamGroup::ALL
        .into_iter()
        .map(|g| {
            let controls = ThetaField::of_group(g)
                .map(|field| view! { <ThetaControl field=field /> })
                .collect_view();
            view! {
                <details class="group" open=true>
                    <summary>{g.title()}</summary>
                    {controls}
                </details>
            }
        })
        .collect_view();
    let head = move || {
        let changed = ctx.state.with(|s| Theta::default().diff(&s.theta).len());
        view! {
            <span class="hint">
                {match changed {
                    0 => "All defaults".to_string(),
                    1 => "1 tunable changed".to_string(),
                    n => format!("{n} tunables changed"),
                }}
            </span>
            <button
                type="button"
                data-testid="theta-reset-all"
                disabled=changed == 0
                on:click=move |_| ctx.state.update(|s| s.theta = Theta::default())
            >
                "Reset all theta"
            </button>
        }
    };
    view! {
        <fieldset class="card theta">
            <legend>"Theta (tunables)"</legend>
            <div class="theta-head">{head}</div>
            {groups}
            <ThetaIo />
        </fieldset>
    }
}
