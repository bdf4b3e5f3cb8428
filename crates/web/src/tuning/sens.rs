//! Robustness and sensitivity for the current point: how far each input (and kill_threshold)
//! can move before the action changes, a bar and sentences per input
//! ([`harvest_features::tuning::robustness_rows`]), and K or R_net against each input as small
//! multiples on one canvas ([`harvest_features::charts::sensitivity`]), repainted at most every
//! [`THROTTLE`] while sliders move (the map gets the frames).

use std::time::Duration;

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::charts::canvas::paint;
use crate::context::Ctx;
use crate::hooks::use_element_size;
use harvest_features::charts::{draw_sensitivity, sensitivity, sensitivity_grid, ChartTheme};
use harvest_features::format::shortest;
use harvest_features::tuning::{robustness_rows, RobustRow};

/// Samples per sensitivity curve.
const SAMPLES: usize = 160;
/// Height of one row of small multiples, CSS px.
const ROW_PX: usize = 170;
/// While sliders move the curves repaint at most this often.
const THROTTLE: Duration = Duration::from_millis(80);

/// The robustness and sensitivity card.
#[component]
pub fn SensCard() -> impl IntoView {
    let ctx = Ctx::get();
    // One row an input: its label, bar and sentences; the input is the key (a row changes in place).
    let rows = Memo::new(move |_| {
        ctx.shown.with(|s| {
            s.as_ref()
                .map(|s| robustness_rows(&s.input))
                .unwrap_or_default()
        })
    });
    let pct = |f: f64| format!("{}%", shortest((f * 1000.0).round() / 10.0));

    let canvas = NodeRef::<Canvas>::new();
    let pending = StoredValue::new(false);
    let height = RwSignal::new(2 * ROW_PX);
    let paints = RwSignal::new(0_u64);
    let error = RwSignal::new(None::<String>);
    let paint_now = move || {
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        let (rows, _) = sensitivity_grid(u32::try_from(el.client_width()).unwrap_or(0));
        if height.get_untracked() != rows * ROW_PX {
            // The canvas measures itself when painted: the new height first (the effect below
            // paints again once it is there).
            height.set(rows * ROW_PX);
            return;
        }
        let theme = ChartTheme::for_dark(ctx.dark.get_untracked());
        let r = ctx.shown.with_untracked(|s| {
            s.as_ref().map(|s| {
                let data = sensitivity(&s.input, SAMPLES);
                paint(&el, |area| draw_sensitivity(area, &data, &theme))
            })
        });
        match r {
            Some(Ok(())) => {
                paints.update(|n| *n += 1);
                error.set(None);
            }
            Some(Err(e)) => error.set(Some(e.to_string())),
            None => {}
        }
    };
    let schedule = move || {
        if pending.try_get_value() != Some(false) {
            return;
        }
        pending.set_value(true);
        set_timeout(
            move || {
                request_animation_frame(move || {
                    if pending.try_set_value(false).is_none() {
                        paint_now();
                    }
                })
            },
            THROTTLE,
        );
    };
    let size = use_element_size(canvas);
    Effect::new(move |_| {
        ctx.shown.track();
        ctx.dark.track();
        size.track();
        schedule();
    });

    view! {
        <section class="card tune-sens" aria-label="Robustness and sensitivity">
            <h2>"Robustness"</h2>
            <p class="hint">
                "How far each input (and kill_threshold) can move, the rest fixed, before the proposed action changes."
            </p>
            <ul class="robust" data-testid="robustness">
                <For
                    each=move || rows.get()
                    key=|r: &RobustRow| {
                        (r.label, r.sentences.clone(), [r.bar.from, r.bar.to, r.bar.at].map(f64::to_bits))
                    }
                    let(RobustRow { label, bar, sentences })
                >
                    <li data-testid="robust-row" data-axis=label>
                        <b>{label}</b>
                        <span class="rbar" aria-hidden="true">
                            <span
                                class="hold"
                                style:left=pct(bar.from)
                                style:width=pct(bar.to - bar.from)
                            ></span>
                            <span class="at" style:left=pct(bar.at)></span>
                        </span>
                        <span class="why">{sentences.join("; ")}</span>
                    </li>
                </For>
            </ul>
            <h2>"Sensitivity"</h2>
            <p class="hint">
                "K (R_net for PnL) against each input with the others fixed: dashed lines are the thresholds, the dot is the current value, the strip along the bottom is the action."
            </p>
            <canvas
                node_ref=canvas
                data-testid="sensitivity"
                role="img"
                aria-label="Sensitivity of K and R_net to each input"
                style:height=move || format!("{}px", height.get())
                data-paints=move || (paints.get() > 0).then(|| paints.get().to_string())
                data-paint-error=move || error.get()
            ></canvas>
        </section>
    }
}
