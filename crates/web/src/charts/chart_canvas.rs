//! A `<canvas>` showing one of the explorer's charts ([`harvest_features::charts`]) for the
//! shown proposal. It repaints whenever the chart's data, the theme or the canvas's size changes
//! ([`use_canvas_paint`]), and `data-paints` counts the paints (the frame-time script waits on
//! it). One component for the three charts: the data is an enum.

use leptos::prelude::*;

use crate::charts::canvas::{paint, PaintError};
use crate::context::Ctx;
use crate::hooks::use_canvas_paint;
use harvest_features::charts::{
    draw_kill_explainer, draw_r_ladder, draw_stop_ladder, kill_explainer, r_ladder, stop_ladder,
    ChartTheme, KillExplainer, RLadder, StopLadder,
};
use harvest_kernel::HarvestInput;

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// `charts::kill_explainer`.
    Kill,
    /// `charts::r_ladder`.
    RLadder,
    /// `charts::stop_ladder`.
    StopLadder,
}

/// A chart's data.
#[derive(Debug, Clone, PartialEq)]
enum ChartData {
    Kill(KillExplainer),
    RLadder(RLadder),
    StopLadder(StopLadder),
}

impl ChartData {
    fn of(kind: ChartKind, input: &HarvestInput) -> ChartData {
        match kind {
            ChartKind::Kill => ChartData::Kill(kill_explainer(input, 96)),
            ChartKind::RLadder => ChartData::RLadder(r_ladder(input)),
            ChartKind::StopLadder => ChartData::StopLadder(stop_ladder(input)),
        }
    }

    /// The accessible name: what the chart says, in words.
    fn headline(&self) -> String {
        match self {
            ChartData::Kill(d) => format!("{}; {}", d.headline(), d.z_sum()),
            ChartData::RLadder(d) => d.full_headline(),
            ChartData::StopLadder(d) => d.headline(),
        }
    }

    /// The caption beside the title: what the canvas does not already print at its top.
    fn caption(&self) -> String {
        match self {
            ChartData::Kill(d) => d.z_sum(),
            ChartData::RLadder(_) | ChartData::StopLadder(_) => String::new(),
        }
    }

    fn paint(&self, canvas: &web_sys::HtmlCanvasElement, dark: bool) -> Result<(), PaintError> {
        let theme = ChartTheme::for_dark(dark);
        match self {
            ChartData::Kill(d) => paint(canvas, |a| draw_kill_explainer(a, d, &theme)),
            ChartData::RLadder(d) => paint(canvas, |a| draw_r_ladder(a, d, &theme)),
            ChartData::StopLadder(d) => paint(canvas, |a| draw_stop_ladder(a, d, &theme)),
        }
    }
}

/// A chart canvas inside a `<figure>`: a title, the chart's headline as its accessible name.
#[component]
pub fn ChartCanvas(
    /// Which chart.
    kind: ChartKind,
    /// `data-testid` of the `<canvas>`.
    testid: &'static str,
    /// Title above the chart.
    title: &'static str,
    /// What the chart shows, in words, under it.
    explain: &'static str,
    /// Height in CSS pixels.
    height: u32,
) -> impl IntoView {
    let ctx = Ctx::get();
    let data = Memo::new(move |_| {
        ctx.shown
            .with(|s| s.as_ref().map(|s| ChartData::of(kind, &s.input)))
    });
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let painted = use_canvas_paint(canvas, move |el| {
        let dark = ctx.dark.get();
        data.with(|d| d.as_ref().map(|d| d.paint(el, dark)))
    });
    let headline = move || data.with(|d| d.as_ref().map(ChartData::headline).unwrap_or_default());
    let caption = move || data.with(|d| d.as_ref().map(ChartData::caption).unwrap_or_default());
    view! {
        <figure class="chart">
            <figcaption>
                <span class="chart-title">{title}</span>
                <span class="chart-headline">{caption}</span>
            </figcaption>
            <canvas
                node_ref=canvas
                data-testid=testid
                role="img"
                aria-label=headline
                style:height=format!("{height}px")
                data-paints=move || painted.with(|p| p.count())
                data-paint-error=move || painted.with(|p| p.error.clone())
            ></canvas>
            <p class="chart-explain">{explain}</p>
        </figure>
    }
}
