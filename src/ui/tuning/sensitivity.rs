//! Robustness and sensitivity for the current point: how far each input (and kill_threshold)
//! can move before the action changes, in sentences ([`crate::tuning::robustness`]), and K or
//! R_net against each input as small multiples on one canvas ([`crate::charts::sensitivity`]).

use std::time::Duration;

use leptos::prelude::*;

use crate::charts::canvas::paint as paint_canvas;
use crate::charts::{draw_sensitivity, sensitivity, sensitivity_grid, ChartTheme};
use crate::tuning_view::{robustness_html, robustness_lines};
use crate::ui::context::Ctx;

/// Samples per sensitivity curve.
const SAMPLES: usize = 160;
/// Height of one row of small multiples, CSS px.
const ROW_PX: usize = 170;
/// While sliders move the curves repaint at most this often (the map gets the frames).
const THROTTLE: Duration = Duration::from_millis(80);

/// The robustness sentences and the sensitivity small multiples.
#[component]
pub fn SensitivityCard() -> impl IntoView {
    let ctx = Ctx::get();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let pending = StoredValue::new(false);
    let paints = StoredValue::new(0u64);
    let robust = move || {
        ctx.shown.with(|s| {
            s.as_ref()
                .map(|s| robustness_html(&robustness_lines(&s.input)))
                .unwrap_or_default()
        })
    };
    let paint = move || {
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        let (rows, _) = sensitivity_grid(u32::try_from(el.client_width()).unwrap_or(0));
        let h = (rows * ROW_PX) as i32;
        if el.client_height() != h {
            let _ = el.set_attribute("style", &format!("height:{h}px"));
        }
        let theme = ChartTheme::for_dark(ctx.dark.get_untracked());
        let r = ctx.shown.with_untracked(|s| {
            s.as_ref().map(|s| {
                let data = sensitivity(&s.input, SAMPLES);
                paint_canvas(&el, |area| draw_sensitivity(area, &data, &theme))
            })
        });
        match r {
            Some(Ok(())) => {
                let n = paints.get_value() + 1;
                paints.set_value(n);
                let _ = el.set_attribute("data-paints", &n.to_string());
                let _ = el.remove_attribute("data-paint-error");
            }
            Some(Err(e)) => {
                let _ = el.set_attribute("data-paint-error", &e);
            }
            None => {}
        }
    };
    let schedule = move || {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        set_timeout(
            move || {
                request_animation_frame(move || {
                    if pending.try_set_value(false).is_none() {
                        paint();
                    }
                })
            },
            THROTTLE,
        );
    };
    Effect::new(move |_| {
        ctx.shown.track();
        ctx.dark.track();
        if canvas.get().is_some() {
            schedule();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| schedule());
    on_cleanup(move || resize.remove());

    view! {
        <section class="card tune-sens" aria-label="Robustness and sensitivity">
            <h2>"Robustness"</h2>
            <p class="hint">
                "How far each input (and kill_threshold) can move, the rest fixed, before the proposed action changes."
            </p>
            <ul class="robust" data-testid="robustness" inner_html=robust></ul>
            <h2>"Sensitivity"</h2>
            <p class="hint">
                "K (R_net for PnL) against each input with the others fixed: dashed lines are the thresholds, the dot is the current value, the strip along the bottom is the action."
            </p>
            <canvas
                node_ref=canvas
                data-testid="sensitivity"
                role="img"
                aria-label="Sensitivity of K and R_net to each input"
                style=format!("height:{}px", 2 * ROW_PX)
            ></canvas>
        </section>
    }
}
