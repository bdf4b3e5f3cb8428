//! The R ladder on a canvas.

use leptos::prelude::*;

use crate::charts::{canvas::paint as paint_canvas, draw_r_ladder, r_ladder, ChartTheme};
use crate::ui::charts::chart_canvas::{ChartCanvas, PaintArgs};
use crate::ui::context::Ctx;

/// R_net against the tranche triggers and the profit-lock line.
#[component]
pub fn RLadderChart() -> impl IntoView {
    let ctx = Ctx::get();
    let data = Memo::new(move |_| ctx.shown.with(|s| s.as_ref().map(|s| r_ladder(&s.input))));
    let headline =
        Signal::derive(move || data.with(|d| d.as_ref().map(|d| d.headline()).unwrap_or_default()));
    let paint = Callback::new(move |(canvas, dark): PaintArgs| {
        data.with(|d| match d {
            Some(d) => {
                let theme = ChartTheme::for_dark(dark);
                paint_canvas(&canvas, |area| draw_r_ladder(area, d, &theme))
            }
            None => Ok(()),
        })
    });
    view! {
        <ChartCanvas
            testid="chart-r-ladder"
            title="R ladder"
            headline=headline
            explain="Where R_net sits among the tranche triggers T1_R < T2_R < T3_R (25 / 50 / 75 % off) and the profit-lock line lock_R."
            height=170
            paint=paint
        />
    }
}
