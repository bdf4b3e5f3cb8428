//! The kill-score explainer on a canvas (`charts::draw_kill_explainer`).

use leptos::prelude::*;

use crate::charts::chart_canvas::{ChartCanvas, ChartKind};

/// K as the sigmoid of z, the threshold, and z's four weighted parts.
#[component]
pub fn KillExplainerChart() -> impl IntoView {
    view! {
        <ChartCanvas
            kind=ChartKind::Kill
            testid="chart-kill"
            title="Kill score"
            explain="K = 1/(1+e^−z) where z adds the weighted regime flip, σ spike, TS drop and age; at or above kill_threshold the kernel proposes a full close."
            height=240
        />
    }
}
