//! The stop ladder on a canvas.

use leptos::prelude::*;

use crate::charts::{canvas::paint as paint_canvas, draw_stop_ladder, stop_ladder, ChartTheme};
use crate::ui::charts::chart_canvas::{ChartCanvas, PaintArgs};
use crate::ui::context::Ctx;

/// Entry, current stop, break-even plus, the proposed stop and the mark on one price axis.
#[component]
pub fn StopLadderChart() -> impl IntoView {
    let ctx = Ctx::get();
    let data = Memo::new(move |_| {
        ctx.shown
            .with(|s| s.as_ref().map(|s| stop_ladder(&s.input)))
    });
    let headline =
        Signal::derive(move || data.with(|d| d.as_ref().map(|d| d.headline()).unwrap_or_default()));
    let paint = Callback::new(move |(canvas, dark): PaintArgs| {
        data.with(|d| match d {
            Some(d) => {
                let theme = ChartTheme::for_dark(dark);
                paint_canvas(&canvas, |area| draw_stop_ladder(area, d, &theme))
            }
            None => Ok(()),
        })
    });
    view! {
        <ChartCanvas
            testid="chart-stop-ladder"
            title="Stop ladder"
            headline=headline
            explain="Entry, the current stop, the break-even-plus level, the proposed stop and the mark price on one price axis: the profit lock only ever moves the stop towards profit."
            height=240
            paint=paint
        />
    }
}
