//! One tunable: slider + number box (range from `explorer::params`, name, unit and help from the
//! kernel's `PARAMS`), a reset button and the kernel's error inline.

use leptos::prelude::*;

use crate::context::Ctx;
use crate::controls::range_field::RangeField;
use harvest_features::format::fmt_num;
use harvest_kernel::{Theta, ThetaField};

/// `theta-<key with _ → ->`, e.g. `theta-kill-threshold`, `theta-T1-R`.
pub fn theta_testid(field: ThetaField) -> String {
    format!("theta-{}", field.key().replace('_', "-"))
}

/// The control of one tunable.
#[component]
pub fn ThetaControl(
    /// Which tunable.
    field: ThetaField,
    /// The slider's id and test id when not [`theta_testid`] (the tuning view's `tune-<key>`).
    #[prop(optional)]
    testid: Option<String>,
    /// A note under the slider (the tuning view: theta A's value once pinned).
    #[prop(optional, into)]
    note: Signal<String>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let spec = field.spec();
    let default = Theta::default().get(field);
    let value = Memo::new(move |_| ctx.state.with(|s| s.theta.get(field)));
    let range = Signal::stored(field.spec().slider);
    let on_slide = Callback::new(move |v: f64| {
        ctx.state.update(|s| s.theta.set(field, v));
        Ok(())
    });
    let on_text = Callback::new(move |t: String| ctx.try_edit(|s| s.set_theta_text(field, &t)));
    let invalid = Signal::derive(move || {
        ctx.theta_errors.with(|errs| {
            errs.iter()
                .find(|e| e.field() == field.path())
                .map(|e| e.to_string())
        })
    });
    let id = testid
        .clone()
        .unwrap_or_else(|| format!("theta-{}", spec.key));
    let testid = testid.unwrap_or_else(|| theta_testid(field));
    let reset_id = format!("{testid}-reset");
    let unit = if spec.unit.is_empty() {
        "×"
    } else {
        spec.unit
    };
    view! {
        <RangeField
            id=id
            testid=testid
            label=spec.key
            unit=unit
            help=format!(
                "{} (default {}; sensible: {}, else a warning)",
                spec.help,
                fmt_num(default),
                spec.sensible.describe(),
            )
            range=range
            value=value
            on_slide=on_slide
            on_text=on_text
            invalid=invalid
            note=note
        >
            <button
                type="button"
                class="reset"
                data-testid=reset_id
                title=format!("Reset {} to {}", spec.key, fmt_num(default))
                aria-label=format!("Reset {} to its default {}", spec.key, fmt_num(default))
                disabled=move || value.get().to_bits() == default.to_bits()
                on:click=move |_| ctx.state.update(|s| s.theta.set(field, default))
            >
                "↺"
            </button>
        </RangeField>
    }
}
