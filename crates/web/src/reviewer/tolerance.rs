//! The tolerance of every numeric comparison, editable: a change re-reviews everything loaded.

use leptos::prelude::*;

use crate::controls::Card;
use crate::reviewer::context::ReviewCtx;
use harvest_features::format::exp;
use harvest_features::reviewer::{parse_tolerance, ToleranceError};
use harvest_kernel::Tolerance;

/// Absolute and relative tolerance.
#[component]
pub fn ToleranceControl() -> impl IntoView {
    let rc = ReviewCtx::get();
    let t0 = rc.tolerance.get_untracked();
    let abs = RwSignal::new(exp(t0.abs));
    let rel = RwSignal::new(exp(t0.rel));
    // Both boxes are read whenever one of them is committed (Enter or leaving it).
    let commit = move |_| {
        rc.apply_tolerance(abs.with_untracked(|a| rel.with_untracked(|r| parse_tolerance(a, r))))
    };
    let reset = move |_| {
        let d = Tolerance::default();
        abs.set(exp(d.abs));
        rel.set(exp(d.rel));
        rc.apply_tolerance(Ok(d));
    };
    let invalid = move || rc.tol_error.with(Option::is_some).to_string();
    let error = move || {
        rc.tol_error
            .with(|e| e.as_ref().map(ToleranceError::to_string))
    };
    view! {
        <Card
            class="review-tol"
            id="review-tol-h"
            title="Tolerance"
            hint="Two numbers are equal when |recorded − recomputed| ≤ max(abs, rel × max(|recorded|, |recomputed|)). Changing it re-reviews everything loaded."
        >
            <div class="tol-row">
                {[("abs ", abs, "review-tol-abs"), ("rel ", rel, "review-tol-rel")]
                    .into_iter()
                    .map(|(name, value, testid)| view! {
                        <label>
                            {name}
                            <input
                                type="text"
                                inputmode="decimal"
                                class="num"
                                data-testid=testid
                                aria-invalid=invalid
                                prop:value=move || value.get()
                                on:input=move |ev| value.set(event_target_value(&ev))
                                on:change=commit
                            />
                        </label>
                    })
                    .collect_view()}
                <button type="button" data-testid="review-tol-reset" on:click=reset>
                    "Default"
                </button>
            </div>
            <p class="err" role="alert" data-testid="review-tol-error" hidden=move || error().is_none()>
                {error}
            </p>
        </Card>
    }
}
