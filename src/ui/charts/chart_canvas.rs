//! A `<canvas>` that repaints whenever what its `paint` callback reads changes, or the theme,
//! or the window's size. After each paint it bumps `data-paints` (the frame-time test waits on it).

use leptos::prelude::*;

use crate::ui::context::Ctx;

/// What a chart's paint callback gets: the canvas and whether the theme is dark. The callback
/// sizes the backing store itself (`charts::canvas::paint`).
pub type PaintArgs = (web_sys::HtmlCanvasElement, bool);

/// A chart canvas inside a `<figure>`, with the chart's headline as caption and accessible name.
#[component]
pub fn ChartCanvas(
    /// `data-testid` of the `<canvas>`.
    #[prop(into)]
    testid: String,
    /// Title above the chart.
    #[prop(into)]
    title: String,
    /// One-line summary (caption and `aria-label`).
    #[prop(into)]
    headline: Signal<String>,
    /// What the chart shows, in words, under it.
    #[prop(into)]
    explain: String,
    /// Height in CSS pixels.
    height: u32,
    /// Paints the chart; the signals it reads are tracked.
    paint: Callback<PaintArgs, Result<(), String>>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let width = RwSignal::new(0u32);
    let measure = move || {
        if let Some(el) = canvas.get_untracked() {
            let w = el.client_width();
            let w = if w > 0 { w as u32 } else { 320 };
            if width.get_untracked() != w {
                width.set(w);
            }
        }
    };
    // Measure once mounted, and on every resize.
    Effect::new(move |_| {
        if canvas.get().is_some() {
            measure();
        }
    });
    let _ = window_event_listener(leptos::ev::resize, move |_| measure());

    let paints = StoredValue::new(0u64);
    Effect::new(move |_| {
        let dark = ctx.dark.get();
        let w = width.get();
        let Some(el) = canvas.get() else { return };
        if w == 0 {
            return;
        }
        match paint.run((el.clone(), dark)) {
            Ok(()) => {
                let n = paints.get_value() + 1;
                paints.set_value(n);
                let _ = el.set_attribute("data-paints", &n.to_string());
                let _ = el.remove_attribute("data-paint-error");
            }
            Err(e) => {
                let _ = el.set_attribute("data-paint-error", &e);
            }
        }
    });

    view! {
        <figure class="chart">
            <figcaption>
                <span class="chart-title">{title}</span>
                <span class="chart-headline">{move || headline.get()}</span>
            </figcaption>
            <canvas
                node_ref=canvas
                data-testid=testid
                role="img"
                aria-label=move || headline.get()
                style=format!("height:{height}px")
            ></canvas>
            <p class="chart-explain">{explain}</p>
        </figure>
    }
}
