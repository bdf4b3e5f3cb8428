//! The report's charts on canvases, drawn by the HTML report's own functions
//! ([`harvest_features::charts::research`]): the stitched out-of-sample equity with the choice's
//! drawdown, and the objective over the grid on the hand-off window.

use leptos::prelude::*;

use crate::charts::canvas::paint;
use crate::hooks::use_canvas_paint;
use crate::research::context::ResearchCtx;
use harvest_features::charts::research::{draw_equity, draw_grid_map};
use harvest_features::charts::ChartTheme;

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResearchChart {
    /// Out-of-sample equity and drawdown.
    Equity,
    /// The objective over the grid.
    Grid,
}

/// One chart of the report (hidden until a report exists).
#[component]
pub fn ResearchCanvas(
    /// The panel's state.
    r: ResearchCtx,
    /// Which chart.
    chart: ResearchChart,
    /// `data-testid` of the canvas.
    testid: &'static str,
    /// Its accessible name.
    label: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let painted = use_canvas_paint(canvas, move |el| {
        r.version.track();
        let theme = ChartTheme::for_dark(r.rc.ctx.dark.get());
        r.report.with_value(|rep| {
            rep.as_ref().map(|rep| {
                paint(el, |a| match chart {
                    ResearchChart::Equity => draw_equity(a, rep, &theme),
                    ResearchChart::Grid => draw_grid_map(a, rep, &theme),
                })
            })
        })
    });
    let has = move || {
        r.version.track();
        r.report.with_value(Option::is_some)
    };
    view! {
        <figure class="chart research-chart" hidden=move || !has()>
            <canvas
                node_ref=canvas
                data-testid=testid
                role="img"
                aria-label=label
                data-paints=move || painted.with(|p| p.count())
                data-paint-error=move || painted.with(|p| p.error.clone())
            ></canvas>
        </figure>
    }
}
