//! One tunable of the research grid: which, from, to, how many values; removable while more
//! than one is left.

use leptos::prelude::*;

use crate::research::context::ResearchCtx;
use harvest_features::charts::axis_label;
use harvest_features::format::parse_number;
use harvest_features::replay::SweepAxis;
use harvest_kernel::{ThetaField, PARAMS};

/// Axis `k` of the grid.
#[component]
pub fn AxisRow(
    /// The panel's state.
    r: ResearchCtx,
    /// Which axis.
    k: usize,
) -> impl IntoView {
    let axis = move || r.axes.with(|a| a.get(k).copied());
    let edit = move |f: &dyn Fn(&mut SweepAxis)| {
        r.axes.update(|a| {
            if let Some(x) = a.get_mut(k) {
                f(x);
            }
        });
    };
    let set_field = move |ev: leptos::ev::Event| {
        if let Some(field) = ThetaField::from_key(&event_target_value(&ev)) {
            let theta = r.rc.ctx.state.with_untracked(|s| s.theta);
            edit(&|x| *x = SweepAxis::around(field, &theta, x.n));
        }
    };
    let num = move |ev: &leptos::ev::Event| parse_number(&event_target_value(ev));
    let options = PARAMS
        .iter()
        .map(|p| {
            let key = p.key;
            view! {
                <option value=key selected=move || axis().is_some_and(|a| a.field.key() == key)>
                    {key}
                </option>
            }
        })
        .collect_view();
    let id = move |what: &str| format!("research-axis-{k}-{what}");
    // The range's lower or upper end.
    let bound = move |word: &'static str,
                      what: &'static str,
                      get: fn(&SweepAxis) -> f64,
                      set: fn(&mut SweepAxis, f64)| {
        view! {
            <label>
                {word}
                <input
                    type="text"
                    inputmode="decimal"
                    size="6"
                    data-testid=id(what)
                    prop:value=move || axis().map(|a| axis_label(get(&a))).unwrap_or_default()
                    on:change=move |ev| {
                        if let Some(v) = num(&ev) {
                            edit(&|x| set(x, v));
                        }
                    }
                />
            </label>
        }
    };
    view! {
        <div class="research-axis" role="group" aria-label=format!("Tunable {}", k + 1)>
            <label>
                "Tunable "
                <select data-testid=id("field") on:change=set_field>{options}</select>
            </label>
            {bound("from ", "lo", |a| a.lo, |a, v| a.lo = v)}
            {bound("to ", "hi", |a| a.hi, |a, v| a.hi = v)}
            <label>
                "values "
                <input
                    type="number"
                    min="2"
                    max="50"
                    step="1"
                    data-testid=id("n")
                    prop:value=move || axis().map(|a| a.n.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        if let Some(n) = num(&ev).filter(|n| *n >= 1.0) {
                            edit(&|x| x.n = n as usize);
                        }
                    }
                />
            </label>
            <button
                type="button"
                data-testid=id("remove")
                aria-label=format!("Remove tunable {}", k + 1)
                disabled=move || r.axes.with(|a| a.len() <= 1)
                on:click=move |_| r.axes.update(|a| {
                    if a.len() > 1 && k < a.len() {
                        a.remove(k);
                    }
                })
            >
                "Remove"
            </button>
        </div>
    }
}
