//! The tuning view: its state ([`TuneCtx`]) lives as long as the page; its content exists only
//! while the view shows (nothing is computed for a hidden view). On a narrow screen the result
//! line stays at the top while the sliders scroll.

use leptos::prelude::*;

use crate::nav::Nav;
use crate::tuning::ab::AbCard;
use crate::tuning::context::TuneCtx;
use crate::tuning::map::ActionMapCard;
use crate::tuning::result_line::ResultLine;
use crate::tuning::sens::SensCard;
use crate::tuning::sets::ThetaSetsCard;
use crate::tuning::sliders::TuneSliders;
use harvest_features::nav::View;

/// The whole tuning view (hidden unless the URL says `?view=tune`).
#[component]
pub fn TuningView() -> impl IntoView {
    let nav = Nav::get();
    TuneCtx::provide();
    let shown = Memo::new(move |_| nav.view.get() == View::Tune);
    view! {
        <section data-testid="tuning-view" class="tune" hidden=move || !shown.get() aria-label="Theta tuning">
            <Show when=move || shown.get()>
                <ResultLine />
                <div class="tune-layout">
                    <div class="tune-side">
                        <TuneSliders />
                    </div>
                    <div class="tune-main">
                        <ActionMapCard />
                        <SensCard />
                        <AbCard />
                        <ThetaSetsCard />
                    </div>
                </div>
            </Show>
        </section>
    }
}
