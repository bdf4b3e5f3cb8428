//! The R ladder on a canvas (`charts::draw_r_ladder`).

use leptos::prelude::*;

use crate::charts::chart_canvas::{ChartCanvas, ChartKind};

/// R_net against the tranche triggers and the profit-lock line.
#[component]
pub fn RLadderChart() -> impl IntoView {
    view! {
        <ChartCanvas
            kind=ChartKind::RLadder
            testid="chart-r-ladder"
            title="R ladder"
            explain="Where R_net sits among the tranche triggers T1_R < T2_R < T3_R (25 / 50 / 75 % off) and the profit-lock line lock_R."
            height=170
        />
    }
}
