//! The point and the theta the tuning view explores: the five map inputs and the sweepable
//! tunables ([`SliderField`]), as sliders on the explorer's own state (both views move
//! together). Once A is pinned, the theta sliders edit B and each shows A's value beside it.

use leptos::prelude::*;

use crate::controls::range_field::attr_num;
use crate::tuning::tuner::Tuner;
use harvest_features::charts::{fmt_k, fmt_r};
use harvest_features::explorer::{fmt_num, parse_number};
use harvest_features::tuning::view::SliderField;

impl Tuner {
    /// Every slider, box, note and error, and the headline, as the state is now.
    pub fn sliders_fill(self) {
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let pinned = self.tc.pinned.get_untracked();
        self.ctx.state.with_untracked(|s| {
            for f in SliderField::all() {
                let key = f.key();
                let (r, v) = f.range_value(s);
                if let Some(el) = self.find::<web_sys::HtmlInputElement>(&format!("tune-{key}")) {
                    // min, max and step first: the browser clamps the value to the range it has.
                    el.set_min(&attr_num(r.min));
                    el.set_max(&attr_num(r.max));
                    el.set_step(&attr_num(r.step));
                    el.set_value(&attr_num(v));
                }
                if let Some(el) =
                    self.find::<web_sys::HtmlInputElement>(&format!("tune-{key}-number"))
                {
                    // Not while someone types in it.
                    if active.as_ref() != Some(el.as_ref()) {
                        el.set_value(&fmt_num(v));
                    }
                }
                if let SliderField::Theta(t) = f {
                    let note = pinned
                        .map(|a| a.get(t))
                        .filter(|a| a.to_bits() != v.to_bits())
                        .map(|a| format!("A: {}", fmt_num(a)))
                        .unwrap_or_default();
                    if let Some(el) = self.find::<web_sys::Element>(&format!("tune-{key}-note")) {
                        el.set_text_content(Some(&note));
                    }
                    let err = self.ctx.theta_errors.with_untracked(|errs| {
                        errs.iter()
                            .find(|e| e.field() == t.path())
                            .map(|e| e.to_string())
                    });
                    self.field_error(key, err.as_deref());
                }
            }
        });
        if let Some(el) = self.find::<web_sys::Element>("tune-now") {
            let now = self.ctx.shown.with_untracked(|s| {
                s.as_ref()
                    .map(|s| {
                        format!(
                            "Now: {} · R_net {} · K {} (threshold {})",
                            s.eval.action,
                            fmt_r(s.eval.r_net),
                            fmt_k(s.eval.kill_score),
                            fmt_k(s.input.theta.unwrap_or_default().kill_threshold)
                        )
                    })
                    .unwrap_or_default()
            });
            el.set_text_content(Some(&now));
            el.set_class_name(if self.ctx.result.with_untracked(Result::is_err) {
                "tune-now stale"
            } else {
                "tune-now"
            });
        }
        if let Some(el) = self.find::<web_sys::Element>("tune-theta-head") {
            el.set_text_content(Some(if pinned.is_some() {
                "Theta B (A is pinned)"
            } else {
                "Theta"
            }));
        }
    }

    /// Shows (or clears) the error under a slider.
    fn field_error(self, key: &str, err: Option<&str>) {
        if let Some(el) = self.find::<web_sys::Element>(&format!("tune-{key}-error")) {
            el.set_text_content(err);
            let _ = if err.is_some() {
                el.remove_attribute("hidden")
            } else {
                el.set_attribute("hidden", "")
            };
        }
    }

    /// A slider moved (`input`) or a box was committed (`change`, Enter): sets the state, or
    /// shows why not (the box then shows the value kept).
    pub fn slider_set(self, key: &str, text: &str, typed: bool) {
        let Some(f) = SliderField::from_key(key) else {
            return;
        };
        let r = if typed {
            self.ctx.try_edit(|s| f.type_text(s, text))
        } else {
            match parse_number(text) {
                Some(v) => self.ctx.try_edit(|s| f.slide(s, v)),
                None => return,
            }
        };
        match r {
            Ok(()) => {
                if matches!(f, SliderField::Input(_)) {
                    self.field_error(key, None);
                }
            }
            Err(e) => {
                self.field_error(key, Some(&e));
                if typed {
                    if let Some(el) =
                        self.find::<web_sys::HtmlInputElement>(&format!("tune-{key}-number"))
                    {
                        let v = self.ctx.state.with_untracked(|s| f.range_value(s).1);
                        el.set_value(&fmt_num(v));
                    }
                }
            }
        }
    }
}
