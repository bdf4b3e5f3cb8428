//! The kill-score explainer on a canvas.

use leptos::prelude::*;

use crate::charts::{
    canvas::paint as paint_canvas, draw_kill_explainer, kill_explainer, ChartTheme,
};
use crate::ui::charts::chart_canvas::{ChartCanvas, PaintArgs};
use crate::ui::context::Ctx;

/// K as the sigmoid of z, the threshold, and z's four weighted parts.
#[component]
pub fn KillExplainerChart() -> impl IntoView {
    let ctx = Ctx::get();
    let data = Memo::new(move |_| {
        ctx.shown
            .with(|s| s.as_ref().map(|s| kill_explainer(&s.input, 96)))
    });
    let headline = Signal::derive(move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| format!("{}; {}", d.headline(), d.z_sum()))
                .unwrap_or_default()
        })
    });
    let paint = Callback::new(move |(canvas, dark): PaintArgs| {
        data.with(|d| match d {
            Some(d) => {
                let theme = ChartTheme::for_dark(dark);
                paint_canvas(&canvas, |area| draw_kill_explainer(area, d, &theme))
            }
            None => Ok(()),
        })
    });
    view! {
        <ChartCanvas
            testid="chart-kill"
            title="Kill score"
            headline=headline
            explain="K = 1/(1+e^−z) where z adds the weighted regime flip, σ spike, TS drop and age; at or above kill_threshold the kernel proposes a full close."
            height=240
            paint=paint
        />
    }
}
