//! Robustness and sensitivity for the current point: how far each input (and kill_threshold)
//! can move before the action changes, in sentences ([`harvest_features::tuning::robustness`]), and K or
//! R_net against each input as small multiples on one canvas ([`harvest_features::charts::sensitivity`]).

use std::time::Duration;

use leptos::prelude::*;

use crate::charts::canvas::paint;
use crate::tuning::tuner::Tuner;
use harvest_features::charts::{draw_sensitivity, sensitivity, sensitivity_grid, ChartTheme};
use harvest_features::tuning::view::{robustness_html, robustness_lines};

/// Samples per sensitivity curve.
const SAMPLES: usize = 160;
/// Height of one row of small multiples, CSS px.
const ROW_PX: usize = 170;
/// While sliders move the curves repaint at most this often (the map gets the frames).
const THROTTLE: Duration = Duration::from_millis(80);

impl Tuner {
    /// The robustness sentences for the shown point.
    pub fn robustness(self) {
        if let Some(ul) = self.find::<web_sys::Element>("robustness") {
            let h = self.ctx.shown.with_untracked(|s| {
                s.as_ref()
                    .map(|s| robustness_html(&robustness_lines(&s.input)))
                    .unwrap_or_default()
            });
            ul.set_inner_html(&h);
        }
    }

    /// Repaints the curves soon (at most every [`THROTTLE`]).
    pub fn sens_schedule(self) {
        if self.sens_pending.get_value() {
            return;
        }
        self.sens_pending.set_value(true);
        set_timeout(
            move || {
                request_animation_frame(move || {
                    if self.sens_pending.try_set_value(false).is_none() {
                        self.sens_paint();
                    }
                })
            },
            THROTTLE,
        );
    }

    fn sens_paint(self) {
        let Some(el) = self.find::<web_sys::HtmlCanvasElement>("sensitivity") else {
            return;
        };
        let (rows, _) = sensitivity_grid(u32::try_from(el.client_width()).unwrap_or(0));
        let h = (rows * ROW_PX) as i32;
        if el.client_height() != h {
            let _ = el.set_attribute("style", &format!("height:{h}px"));
        }
        let theme = ChartTheme::for_dark(self.ctx.dark.get_untracked());
        let r = self.ctx.shown.with_untracked(|s| {
            s.as_ref().map(|s| {
                let data = sensitivity(&s.input, SAMPLES);
                paint(&el, |area| draw_sensitivity(area, &data, &theme))
            })
        });
        match r {
            Some(Ok(())) => {
                let n = el
                    .get_attribute("data-paints")
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0);
                let _ = el.set_attribute("data-paints", &(n + 1).to_string());
                let _ = el.remove_attribute("data-paint-error");
            }
            Some(Err(e)) => {
                let _ = el.set_attribute("data-paint-error", &e);
            }
            None => {}
        }
    }
}
