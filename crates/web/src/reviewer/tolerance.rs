//! The tolerance of every numeric comparison, editable: a change re-reviews everything loaded
//! (handled by the view: `data-act="tol"` on change, `tol-reset`).

use leptos::prelude::*;

use crate::reviewer::actions::{tol_text, TOL_ABS_ID, TOL_REL_ID};
use crate::reviewer::context::ReviewCtx;

/// Absolute and relative tolerance.
#[component]
pub fn ToleranceControl() -> impl IntoView {
    let rc = ReviewCtx::get();
    let t0 = rc.tolerance.get_untracked();
    let boxes = format!(
        "<h2 id=\"review-tol-h\">Tolerance</h2>\
         <p class=\"hint\">Two numbers are equal when |recorded − recomputed| ≤ max(abs, rel × max(|recorded|, |recomputed|)). \
         Changing it re-reviews everything loaded.</p>\
         <div class=\"tol-row\">\
         <label>abs <input id=\"{TOL_ABS_ID}\" type=\"text\" inputmode=\"decimal\" class=\"num\" data-testid=\"review-tol-abs\" data-act=\"tol\" value=\"{}\"></label>\
         <label>rel <input id=\"{TOL_REL_ID}\" type=\"text\" inputmode=\"decimal\" class=\"num\" data-testid=\"review-tol-rel\" data-act=\"tol\" value=\"{}\"></label>\
         <button type=\"button\" data-testid=\"review-tol-reset\" data-act=\"tol-reset\">Default</button></div>",
        tol_text(t0.abs),
        tol_text(t0.rel)
    );
    view! {
        <section class="card review-tol" aria-labelledby="review-tol-h">
            <div class="static" inner_html=boxes></div>
            <p class="err" role="alert" data-testid="review-tol-error" hidden=move || rc.tol_error.with(Option::is_none)>
                {move || rc.tol_error.get()}
            </p>
        </section>
    }
}
