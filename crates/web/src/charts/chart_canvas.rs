//! A `<canvas>` showing one of the explorer's charts ([`harvest_features::charts`]) for the
//! shown proposal. It repaints whenever the chart's data, the theme or the canvas's size changes
//! ([`use_canvas_paint`]), and `data-paints` counts the paints (the frame-time script waits on
//! it). One component for the three charts: the chart is an enum ([`ChartKind`]), its data too.

use leptos::prelude::*;

use crate::charts::canvas::{paint, PaintError};
use crate::context::Ctx;
use crate::hooks::use_canvas_paint;
use harvest_features::charts::{
    draw_kill_explainer, draw_r_ladder, draw_stop_ladder, kill_explainer_within, r_ladder_within,
    stop_ladder_within, ChartTheme, KillExplainer, RLadder, StopLadder,
};
use harvest_features::format::shortest;
use harvest_kernel::HarvestInput;

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// `charts::kill_explainer`: K as the sigmoid of z, the threshold, and z's four weighted parts.
    Kill,
    /// `charts::r_ladder`: R_net against the tranche triggers and the profit-lock line.
    RLadder,
    /// `charts::stop_ladder`: entry, the stops, BE+ and the mark on one price axis.
    StopLadder,
}

impl ChartKind {
    /// `data-testid` of its `<canvas>`.
    fn testid(self) -> &'static str {
        match self {
            ChartKind::Kill => "chart-kill",
            ChartKind::RLadder => "chart-r-ladder",
            ChartKind::StopLadder => "chart-stop-ladder",
        }
    }

    /// The title above it.
    fn title(self) -> &'static str {
        match self {
            ChartKind::Kill => "Kill score",
            ChartKind::RLadder => "R ladder",
            ChartKind::StopLadder => "Stop ladder",
        }
    }

    /// What it shows, in words, under it.
    fn explain(self) -> &'static str {
        match self {
            ChartKind::Kill => "K = 1/(1+e^−z) where z adds the weighted regime flip, σ spike, TS drop and age; at or above kill_threshold the kernel proposes a full close.",
            ChartKind::RLadder => "Where R_net sits among the tranche triggers T1_R < T2_R < T3_R (25 / 50 / 75 % off) and the profit-lock line lock_R.",
            ChartKind::StopLadder => "Entry, the current stop, the break-even-plus level, the proposed stop and the mark price on one price axis: the profit lock only ever moves the stop towards profit.",
        }
    }

    /// Its height in CSS pixels.
    fn height(self) -> u32 {
        match self {
            ChartKind::RLadder => 170,
            ChartKind::Kill | ChartKind::StopLadder => 240,
        }
    }
}

/// A chart's data.
#[derive(Debug, Clone, PartialEq)]
enum ChartData {
    Kill(KillExplainer),
    RLadder(RLadder),
    StopLadder(StopLadder),
}

impl ChartData {
    /// The chart for `input`, its axis range steadied against the one shown before.
    fn of(kind: ChartKind, input: &HarvestInput, prev: Option<(f64, f64)>) -> ChartData {
        match kind {
            ChartKind::Kill => ChartData::Kill(kill_explainer_within(input, 96, prev)),
            ChartKind::RLadder => ChartData::RLadder(r_ladder_within(input, prev)),
            ChartKind::StopLadder => ChartData::StopLadder(stop_ladder_within(input, prev)),
        }
    }

    /// The axis range shown (z, R or price).
    fn range(&self) -> (f64, f64) {
        match self {
            ChartData::Kill(d) => d.z_range,
            ChartData::RLadder(d) => d.range,
            ChartData::StopLadder(d) => d.range,
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

/// A chart canvas inside a `<figure>`: a title, the chart's headline as its accessible name,
/// what it shows in words under it.
#[component]
pub fn ChartCanvas(
    /// Which chart.
    kind: ChartKind,
) -> impl IntoView {
    let ctx = Ctx::get();
    let (testid, title, explain, height) =
        (kind.testid(), kind.title(), kind.explain(), kind.height());
    // The previous range keeps the axis still while an input is dragged.
    let data = Memo::new(move |prev: Option<&Option<ChartData>>| {
        let prev = prev.and_then(|p| p.as_ref().map(ChartData::range));
        ctx.shown
            .with(|s| s.as_ref().map(|s| ChartData::of(kind, &s.input, prev)))
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
                data-range=move || data.with(|d| d.as_ref().map(|d| {
                    let (lo, hi) = d.range();
                    format!("{} {}", shortest(lo), shortest(hi))
                }))
                data-paint-error=move || painted.with(|p| p.error.clone())
            ></canvas>
            <p class="chart-explain">{explain}</p>
        </figure>
    }
}
