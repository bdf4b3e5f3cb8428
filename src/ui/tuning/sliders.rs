//! The point and the theta the tuning view explores: the five map inputs and the sweepable
//! tunables, as sliders on the explorer's own state (so both views move together). Once A is
//! pinned, the theta sliders edit B.

use leptos::prelude::*;

use crate::charts::{fmt_k, fmt_r};
use crate::kernel::{Axis, Theta};
use crate::state::{fmt_num, InputField, SliderRange};
use crate::tuning_view::MAP_AXES;
use crate::ui::context::Ctx;
use crate::ui::controls::range_field::RangeField;
use crate::ui::tuning::context::TuneCtx;

/// The inputs offered here (the others stay in the explorer).
const INPUTS: [InputField; 5] = [
    InputField::Pnl,
    InputField::PTrend,
    InputField::Sigma,
    InputField::Ts,
    InputField::AgeSec,
];

/// Sliders for the point and the sweepable tunables.
#[component]
pub fn TuneSliders() -> impl IntoView {
    let ctx = Ctx::get();
    let tc = TuneCtx::get();
    let inputs = INPUTS
        .into_iter()
        .map(|field| {
            let spec = field.spec();
            let value = Memo::new(move |_| ctx.state.with(|s| s.get(field) / spec.scale));
            let range = Memo::new(move |_| ctx.state.with(|s| s.slider(field)));
            let on_slide =
                Callback::new(move |v: f64| ctx.try_edit(|s| s.set(field, v * spec.scale)));
            let on_text = Callback::new(move |t: String| ctx.try_edit(|s| s.set_text(field, &t)));
            view! {
                <RangeField
                    id=format!("tune-{}", spec.key)
                    testid=format!("tune-{}", spec.key)
                    label=spec.label
                    unit=spec.unit
                    help=format!("{} ({}; allowed: {})", spec.help, spec.path, spec.allowed)
                    range=range
                    value=value
                    on_slide=on_slide
                    on_text=on_text
                />
            }
        })
        .collect_view();
    let thetas = MAP_AXES
        .into_iter()
        .filter_map(|a| match a {
            Axis::Theta(f) => Some(f),
            _ => None,
        })
        .map(|field| {
            let spec = field.spec();
            let value = Memo::new(move |_| ctx.state.with(|s| s.theta.get(field)));
            let on_slide = Callback::new(move |v: f64| {
                ctx.state.update(|s| s.theta.set(field, v));
                Ok(())
            });
            let on_text =
                Callback::new(move |t: String| ctx.try_edit(|s| s.set_theta_text(field, &t)));
            let invalid = Signal::derive(move || {
                ctx.theta_errors.with(|errs| {
                    errs.iter()
                        .find(|e| e.field() == field.path())
                        .map(|e| e.to_string())
                })
            });
            let pinned = move || {
                tc.pinned
                    .get()
                    .map(|a| a.get(field))
                    .filter(|a| a.to_bits() != value.get().to_bits())
                    .map(|a| format!("A: {}", fmt_num(a)))
                    .unwrap_or_default()
            };
            view! {
                <RangeField
                    id=format!("tune-{}", spec.key)
                    testid=format!("tune-{}", spec.key)
                    label=spec.key
                    unit=spec.unit
                    help=format!(
                        "{} (default {}; the kernel accepts {})",
                        spec.help,
                        fmt_num(Theta::default().get(field)),
                        spec.validity.describe(),
                    )
                    range=Signal::stored(SliderRange {
                        min: spec.min,
                        max: spec.max,
                        step: spec.step,
                    })
                    value=value
                    on_slide=on_slide
                    on_text=on_text
                    invalid=invalid
                    note=Signal::derive(pinned)
                />
            }
        })
        .collect_view();
    let now = move || {
        ctx.shown.with(|s| {
            s.as_ref()
                .map(|s| {
                    let e = &s.eval;
                    format!(
                        "Now: {} · R_net {} · K {} (threshold {})",
                        e.action,
                        fmt_r(e.r_net),
                        fmt_k(e.kill_score),
                        fmt_k(s.input.theta.unwrap_or_default().kill_threshold)
                    )
                })
                .unwrap_or_default()
        })
    };
    view! {
        <section class="card tune-controls" aria-label="Point and theta">
            <h2>"Point"</h2>
            <p class="tune-now" data-testid="tune-now" class:stale=move || ctx.stale()>
                {now}
            </p>
            {inputs}
            <h2>
                {move || {
                    if tc.pinned.with(Option::is_some) { "Theta B (A is pinned)" } else { "Theta" }
                }}
            </h2>
            {thetas}
            <p class="hint">
                "Side, entry, stop, P1 and the other tunables are in the Explorer: both views share one state."
            </p>
        </section>
    }
}
