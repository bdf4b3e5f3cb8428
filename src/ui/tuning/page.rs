//! The tuning view: the point and theta sliders on the left; the action map, robustness and
//! sensitivity, the A/B comparison and the theta sets on the right. Mounted only while the view
//! is shown (its charts cost nothing otherwise); its own state lives in [`TuneCtx`], provided
//! here, so it survives switching views.

use leptos::prelude::*;

use crate::review_view::View;
use crate::ui::reviewer::ReviewCtx;
use crate::ui::tuning::context::TuneCtx;
use crate::ui::tuning::panel::TunePanel;
use crate::ui::tuning::sliders::TuneSliders;

/// The whole tuning view (hidden unless the URL says `?view=tune`).
#[component]
pub fn TuningView() -> impl IntoView {
    TuneCtx::provide();
    let rc = ReviewCtx::get();
    let active = move || rc.view.get() == View::Tune;
    view! {
        <section
            data-testid="tuning-view"
            class="tune"
            hidden=move || !active()
            aria-label="Theta tuning"
        >
            <Show when=active>
                <div class="tune-layout">
                    <div class="tune-side">
                        <TuneSliders />
                    </div>
                    <TunePanel />
                </div>
            </Show>
        </section>
    }
}
