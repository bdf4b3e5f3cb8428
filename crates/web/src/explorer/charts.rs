//! The three charts.

use leptos::prelude::*;

use crate::charts::{ChartCanvas, ChartKind};
use crate::context::Ctx;

/// Kill-score explainer, R ladder and stop ladder.
#[component]
pub fn ChartsPanel() -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <section class="card charts" class:stale=move || ctx.stale() aria-labelledby="charts-h">
            <h2 id="charts-h" class="sr-only">"Charts"</h2>
            <ChartCanvas kind=ChartKind::RLadder />
            <ChartCanvas kind=ChartKind::Kill />
            <ChartCanvas kind=ChartKind::StopLadder />
        </section>
    }
}
