//! The stop ladder on a canvas (`charts::draw_stop_ladder`).

use leptos::prelude::*;

use crate::charts::chart_canvas::{ChartCanvas, ChartKind};

/// Entry, current stop, break-even plus, the proposed stop and the mark on one price axis.
#[component]
pub fn StopLadderChart() -> impl IntoView {
    view! {
        <ChartCanvas
            kind=ChartKind::StopLadder
            testid="chart-stop-ladder"
            title="Stop ladder"
            explain="Entry, the current stop, the break-even-plus level, the proposed stop and the mark price on one price axis: the profit lock only ever moves the stop towards profit."
            height=240
        />
    }
}
