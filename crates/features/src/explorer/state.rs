//! The explorer's state as plain data ([`UiState`]): every input, theta and the replay preset;
//! the kernel input it describes, field validation through the kernel's own errors, the slider
//! ranges that depend on the risk unit, and the note under each input.

use super::inputs::{InputError, InputField, SliderRange};
use crate::format::{fixed_or_dash, fmt_num, format_sig, parse_number, Num};
use harvest_kernel::{
    scenarios, validate, HarvestInput, MarketState, P1Proposal, Position, Side, Theta, ThetaField,
};

/// A selected replay scenario and the step shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Preset {
    /// Scenario id, 1 … 8.
    pub id: u8,
    /// Step index, from 0.
    pub step: usize,
}

/// Everything the dashboard shows is computed from this: the inputs, theta and the preset.
#[derive(Debug, Clone, PartialEq)]
pub struct UiState {
    /// LONG or SHORT.
    pub side: Side,
    /// Entry price.
    pub entry: f64,
    /// Quantity.
    pub qty: f64,
    /// Unrealized PnL, quote currency.
    pub pnl: f64,
    /// Current stop-loss (kept while `sl_none` so the toggle can bring it back).
    pub sl: f64,
    /// No stop-loss in place.
    pub sl_none: bool,
    /// Age, seconds.
    pub age_sec: f64,
    /// σ, TS and the three probabilities.
    pub market: MarketState,
    /// P1's stop distance.
    pub stop: f64,
    /// Whether P1 is available (else the kernel uses `fallback_stop_pct`).
    pub p1: bool,
    /// The tunables (may be invalid: the dashboard shows the kernel's errors inline).
    pub theta: Theta,
    /// The replay scenario being stepped through, if any.
    pub preset: Option<Preset>,
}

impl Default for UiState {
    /// The replay baseline of the spec: LONG at 100, SL 99, P1 stop 2 %, 1 h, PnL 0, σ 0.01,
    /// TS 0.4, probabilities 0.6 / 0.2 / 0.2, default theta.
    fn default() -> Self {
        let pos = Position::default();
        let p1 = P1Proposal::default();
        UiState {
            side: pos.side,
            entry: pos.entry_price,
            qty: pos.qty,
            pnl: pos.unrealized_pnl,
            sl: pos.current_sl.unwrap_or(99.0),
            sl_none: pos.current_sl.is_none(),
            age_sec: pos.age_sec,
            market: MarketState::default(),
            stop: p1.stop_dist_pct,
            p1: true,
            theta: Theta::default(),
            preset: None,
        }
    }
}

impl UiState {
    /// The kernel input this state describes. The mark price (`current_price`) is the PnL's
    /// implied price; peak and trough follow the replay's convention; P1's own SL mirrors the
    /// current SL.
    pub fn to_input(&self) -> HarvestInput {
        let sl = (!self.sl_none).then_some(self.sl);
        let mut position = Position {
            symbol: "BTCUSDT".to_string(),
            side: self.side,
            entry_price: self.entry,
            current_price: None,
            peak_price: None,
            trough_price: None,
            age_sec: self.age_sec,
            unrealized_pnl: self.pnl,
            current_sl: sl,
            current_tp: None,
            qty: self.qty,
        };
        let price = position.implied_price();
        if price.is_finite() {
            let (hi, lo) = (price.max(self.entry), price.min(self.entry));
            position.current_price = Some(price);
            (position.peak_price, position.trough_price) = match self.side {
                Side::Long => (Some(hi), Some(lo)),
                Side::Short => (Some(lo), Some(hi)),
            };
        }
        HarvestInput {
            position,
            market_state: self.market,
            p1_proposal: self.p1.then_some(P1Proposal {
                stop_dist_pct: self.stop,
                proposed_sl: sl,
                proposed_tp: None,
            }),
            theta: Some(self.theta),
        }
    }

    /// The state that shows `input` (a replay step, say). Audit-only fields are dropped.
    pub fn from_input(input: &HarvestInput) -> UiState {
        let d = UiState::default();
        let p = &input.position;
        UiState {
            side: p.side,
            entry: p.entry_price,
            qty: p.qty,
            pnl: p.unrealized_pnl,
            sl: p
                .current_sl
                .unwrap_or(p.entry_price * (1.0 - p.side.sign() * 0.01)),
            sl_none: p.current_sl.is_none(),
            age_sec: p.age_sec,
            market: input.market_state,
            stop: input.p1_proposal.map_or(d.stop, |p1| p1.stop_dist_pct),
            p1: input.p1_proposal.is_some(),
            theta: input.theta.unwrap_or_default(),
            preset: None,
        }
    }

    /// Loads step `step` of scenario `id` (with the preset selected); `None` if there is no such step.
    pub fn from_preset(id: u8, step: usize) -> Option<UiState> {
        let all = scenarios();
        let sc = all.iter().find(|s| s.id == id)?;
        let st = sc.steps.get(step)?;
        let mut s = UiState::from_input(&st.input);
        s.preset = Some(Preset { id, step });
        Some(s)
    }

    /// Switches the side; the current stop is mirrored through entry so it stays on the losing
    /// side (LONG SL 99 at entry 100 becomes SHORT SL 101).
    ///
    /// ```
    /// use harvest_kernel::Side;
    /// use harvest_features::explorer::UiState;
    /// let mut s = UiState::default();
    /// s.set_side(Side::Short);
    /// assert_eq!((s.side, s.sl), (Side::Short, 101.0));
    /// ```
    pub fn set_side(&mut self, side: Side) {
        if self.side != side {
            self.side = side;
            let m = 2.0 * self.entry - self.sl;
            if m.is_finite() {
                self.sl = parse_number(&format_sig(m, 12)).unwrap_or(m);
            }
        }
    }

    /// One numeric input, in kernel units.
    pub fn get(&self, field: InputField) -> f64 {
        match field {
            InputField::Entry => self.entry,
            InputField::Qty => self.qty,
            InputField::Pnl => self.pnl,
            InputField::Sl => self.sl,
            InputField::AgeSec => self.age_sec,
            InputField::Sigma => self.market.sigma,
            InputField::Ts => self.market.ts,
            InputField::PTrend => self.market.p_trend,
            InputField::PMr => self.market.p_mr,
            InputField::PChop => self.market.p_chop,
            InputField::Stop => self.stop,
        }
    }

    /// Sets one input without rescaling anything (probabilities are taken as given).
    pub(crate) fn set_raw(&mut self, field: InputField, v: f64) {
        match field {
            InputField::Entry => self.entry = v,
            InputField::Qty => self.qty = v,
            InputField::Pnl => self.pnl = v,
            InputField::Sl => self.sl = v,
            InputField::AgeSec => self.age_sec = v,
            InputField::Sigma => self.market.sigma = v,
            InputField::Ts => self.market.ts = v,
            InputField::PTrend => self.market.p_trend = v,
            InputField::PMr => self.market.p_mr = v,
            InputField::PChop => self.market.p_chop = v,
            InputField::Stop => self.stop = v,
        }
    }

    /// Whether the kernel accepts `v` (kernel units) for `field`, with everything else as it is.
    ///
    /// # Errors
    /// The kernel's own message (naming the JSON path and the allowed range) when it rejects it.
    pub fn check(&self, field: InputField, v: f64) -> Result<(), InputError> {
        let spec = field.spec();
        if !v.is_finite() {
            return Err(InputError::NotFinite { field, value: v });
        }
        let mut probe = self.clone();
        probe.set_raw(field, v);
        // The toggles hide a field from the kernel: check it as if it were on.
        probe.sl_none = false;
        probe.p1 = true;
        let input = probe.to_input();
        match validate(
            &input.position,
            &input.market_state,
            input.p1_proposal.as_ref(),
            &Theta::default(),
        ) {
            Err(e) if e.field() == spec.path => Err(InputError::Kernel(e)),
            _ => Ok(()),
        }
    }

    /// Sets one input (kernel units) if the kernel accepts it. A probability rescales the
    /// other two so the three keep summing to 1; moving the input clears nothing else.
    ///
    /// # Errors
    /// See [`UiState::check`]; the state is unchanged then.
    pub fn set(&mut self, field: InputField, v: f64) -> Result<(), InputError> {
        self.check(field, v)?;
        match field {
            InputField::PTrend => self.market.set_p_trend(v),
            InputField::PMr => self.market.set_p_mr(v),
            InputField::PChop => self.market.set_p_chop(v),
            _ => self.set_raw(field, v),
        }
        Ok(())
    }

    /// Parses what was typed in `field`'s number box (shown units) and sets it.
    ///
    /// # Errors
    /// A message naming the field, what was typed and the allowed range; the state is unchanged.
    pub fn set_text(&mut self, field: InputField, text: &str) -> Result<(), InputError> {
        let spec = field.spec();
        let kept = fmt_num(self.get(field) / spec.scale);
        let Some(shown) = parse_number(text) else {
            return Err(InputError::NotANumber {
                label: spec.label,
                path: spec.path.to_string(),
                text: text.trim().to_string(),
                allowed: spec.allowed.to_string(),
                kept,
            });
        };
        self.set(field, shown * spec.scale)
            .map_err(|e| InputError::Rejected {
                label: spec.label,
                shown: fmt_num(shown),
                reason: Box::new(e),
                kept,
            })
    }

    /// The slider range of `field`, in shown units. PnL spans −3 R … +max(10, T3_R + 2) R around
    /// the cost (R = the kernel's risk unit), SL spans ±10 % of entry; the others are fixed.
    pub fn slider(&self, field: InputField) -> SliderRange {
        let spec = field.spec();
        let fixed = SliderRange {
            min: spec.min,
            max: spec.max,
            step: spec.step,
        };
        match field {
            InputField::Pnl => {
                let e = self.to_input().evaluate();
                let ru = e.risk_unit;
                let top = 10f64.max(self.theta.t3_r + 2.0);
                let (min, max) = (e.cost_est - 3.0 * ru, e.cost_est + top * ru);
                snapped(min, max, nice(ru / 100.0)).unwrap_or(fixed)
            }
            InputField::Sl => {
                let e = self.entry;
                snapped(e * 0.9, e * 1.1, nice(e / 2000.0)).unwrap_or(fixed)
            }
            _ => fixed,
        }
    }

    /// Sets one tunable from its number box. Any number is taken (the kernel computes with any
    /// finite value, warning about nonsense; the few it refuses show inline); text that is no
    /// number is refused.
    ///
    /// # Errors
    /// A message naming the tunable, what was typed and its allowed range; theta is unchanged.
    pub fn set_theta_text(&mut self, field: ThetaField, text: &str) -> Result<(), InputError> {
        let spec = field.spec();
        match parse_number(text) {
            Some(v) => {
                self.theta.set(field, v);
                Ok(())
            }
            None => Err(InputError::NotANumber {
                label: spec.key,
                path: field.path().to_string(),
                text: text.trim().to_string(),
                allowed: format!(
                    "{} (sensible: {})",
                    spec.accepts(),
                    spec.sensible.describe()
                ),
                kept: fmt_num(self.theta.get(field)),
            }),
        }
    }
}

impl UiState {
    /// Whether `field` is switched off by its toggle (SL "none", P1 unavailable).
    pub fn disabled(&self, field: InputField) -> bool {
        match field {
            InputField::Sl => self.sl_none,
            InputField::Stop => !self.p1,
            _ => false,
        }
    }
}

/// The derived line shown under an input's slider (empty for most): the implied mark price and
/// R_net under PnL, the age in seconds, the kill component each market input feeds, which stop
/// distance the kernel uses. Every number comes from the kernel.
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::explorer::{input_note, InputField, UiState};
/// let input = UiState::default().to_input();
/// assert_eq!(input_note(InputField::AgeSec, &input), "3600 s");
/// assert!(input_note(InputField::Pnl, &input).starts_with("mark price 100 · R_net -0.05"));
/// ```
pub fn input_note(field: InputField, input: &HarvestInput) -> String {
    let e = input.evaluate();
    match field {
        InputField::Pnl => format!(
            "mark price {} · R_net {} (1 R = {} quote, cost {})",
            fmt_num(input.position.implied_price()),
            fixed_or_dash(e.r_net, 2),
            fmt_num(e.risk_unit),
            fmt_num(e.cost_est)
        ),
        InputField::AgeSec => format!("{} s", fmt_num(input.position.age_sec)),
        InputField::PTrend => format!("regime_flip component {}", Num(e.k.regime_flip)),
        InputField::Sigma => format!(
            "sigma_spike component {}",
            fixed_or_dash(e.k.sigma_spike, 3)
        ),
        InputField::Ts => format!("ts_drop component {}", fixed_or_dash(e.k.ts_drop, 3)),
        InputField::Stop if e.p1_used => {
            format!("P1's stop is used: risk unit {}", fmt_num(e.risk_unit))
        }
        InputField::Stop => format!(
            "fallback_stop_pct {} is used: risk unit {}",
            fmt_num(e.stop_dist),
            fmt_num(e.risk_unit)
        ),
        _ => String::new(),
    }
}

/// The nearest 1, 2 or 5 × 10ⁿ at or below `x` (slider steps that read well).
fn nice(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 0.0;
    }
    let p = 10f64.powi(x.log10().floor() as i32);
    let m = x / p;
    let f = if m >= 5.0 - 1e-9 {
        5.0
    } else if m >= 2.0 - 1e-9 {
        2.0
    } else {
        1.0
    };
    let v = f * p;
    parse_number(&format_sig(v, 6)).unwrap_or(v)
}

/// `min ..= max` in steps of `step`, both ends on a step, when all three make sense.
fn snapped(min: f64, max: f64, step: f64) -> Option<SliderRange> {
    let ok = [min, max, step].iter().all(|v| v.is_finite()) && max > min && step > 0.0;
    ok.then(|| SliderRange {
        min: snap(min, step),
        max: snap(max, step),
        step,
    })
}

/// `v` rounded to a multiple of `step`, cleaned of float noise.
fn snap(v: f64, step: f64) -> f64 {
    let r = (v / step).round() * step;
    parse_number(&format_sig(r, 12)).unwrap_or(r)
}

/// The value the arrow keys give in a field's number box, as its slider would: ArrowUp / ArrowDown
/// one step, PageUp / PageDown ten, onto the step grid and within the slider's range; `None` for
/// any other key (the box keeps it: typing, the caret).
///
/// ```
/// use harvest_features::explorer::{arrow_step, SliderRange};
/// let r = SliderRange { min: 0.0, max: 1.0, step: 0.01 };
/// assert_eq!(arrow_step(r, 0.6, "ArrowUp"), Some(0.61));
/// assert_eq!(arrow_step(r, 0.995, "ArrowUp"), Some(1.0));
/// assert_eq!(arrow_step(r, 0.6, "Tab"), None);
/// ```
pub fn arrow_step(range: SliderRange, value: f64, key: &str) -> Option<f64> {
    let steps = match key {
        "ArrowUp" => 1.0,
        "ArrowDown" => -1.0,
        "PageUp" => 10.0,
        "PageDown" => -10.0,
        _ => return None,
    };
    if !(value.is_finite() && range.step > 0.0 && range.max >= range.min) {
        return None;
    }
    // Onto the grid first (a typed 0.605 goes to 0.61 / 0.60), then the steps.
    let on_grid = snap(value, range.step);
    let moved = if (on_grid - value).abs() > range.step * 1e-9 {
        if steps > 0.0 {
            snap((value / range.step).ceil() * range.step, range.step) + (steps - 1.0) * range.step
        } else {
            snap((value / range.step).floor() * range.step, range.step) + (steps + 1.0) * range.step
        }
    } else {
        on_grid + steps * range.step
    };
    Some(snap(moved, range.step).clamp(range.min, range.max))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explorer::url::{decode, encode};
    use harvest_kernel::{propose, HarvestAction};

    #[test]
    fn default_is_the_replay_baseline() {
        let s = UiState::default();
        let input = s.to_input();
        let base = &scenarios()[0].steps[0].input;
        assert_eq!(input.position.entry_price, base.position.entry_price);
        assert_eq!(input.position.current_sl, Some(99.0));
        assert_eq!(input.p1_proposal.map(|p| p.stop_dist_pct), Some(0.02));
        assert_eq!(input.market_state, MarketState::default());
        assert_eq!(encode(&s), "");
        assert_eq!(decode("").state, s);
        let p = propose(&input).unwrap();
        assert_eq!(p.harvest_action, HarvestAction::None);
    }

    #[test]
    fn every_preset_round_trips_through_the_kernel_input() {
        for sc in scenarios() {
            for (i, st) in sc.steps.iter().enumerate() {
                let s = UiState::from_preset(sc.id, i).unwrap();
                let mine = propose(&s.to_input()).unwrap();
                let theirs = propose(&st.input).unwrap();
                assert_eq!(mine.harvest_action, theirs.harvest_action, "{}", st.label);
                assert_eq!(mine.r_net, theirs.r_net);
                assert_eq!(mine.kill_score, theirs.kill_score);
                assert_eq!(mine.new_sl_proposed, theirs.new_sl_proposed);
                assert_eq!(mine.reason_codes, theirs.reason_codes);
                // The URL reproduces it exactly.
                let back = decode(&encode(&s));
                assert!(back.problems.is_empty(), "{:?}", back.problems);
                assert_eq!(back.state, s);
            }
        }
        assert!(UiState::from_preset(9, 0).is_none());
        assert!(UiState::from_preset(1, 99).is_none());
    }

    #[test]
    fn setting_a_probability_rescales_the_others() {
        let mut s = UiState::default();
        s.set(InputField::PTrend, 0.1).unwrap();
        let m = s.market;
        assert_eq!(m.p_trend, 0.1);
        assert!((m.p_trend + m.p_mr + m.p_chop - 1.0).abs() < 1e-12);
        assert!((m.p_mr - 0.45).abs() < 1e-12);
        s.set(InputField::PChop, 0.8).unwrap();
        let m = s.market;
        assert!((m.p_trend + m.p_mr + m.p_chop - 1.0).abs() < 1e-12);
        let err = s.set(InputField::PTrend, 1.5).unwrap_err().to_string();
        assert!(
            err.contains("market_state.p_trend") && err.contains("[0, 1]"),
            "{err}"
        );
        assert_eq!(s.market, m, "unchanged after a refusal");
    }

    #[test]
    fn field_errors_name_the_field_and_range_and_keep_the_value() {
        let mut s = UiState::default();
        let err = s.set_text(InputField::Entry, "-5").unwrap_err().to_string();
        assert!(
            err.contains("position.entry_price") && err.contains("> 0"),
            "{err}"
        );
        assert!(err.contains("Kept 100"), "{err}");
        assert_eq!(s.entry, 100.0);
        let err = s.set_text(InputField::Pnl, "abc").unwrap_err().to_string();
        assert!(
            err.contains("Unrealized PnL") && err.contains("abc"),
            "{err}"
        );
        assert!(err.contains("any finite number"), "{err}");
        let err = s
            .set_text(InputField::AgeSec, "-1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("position.age_sec"), "{err}");
        let err = s.set_text(InputField::Stop, "x").unwrap_err().to_string();
        assert!(err.contains("p1_proposal.stop_dist_pct"), "{err}");
        let err = s
            .set_text(InputField::Sigma, "-0.1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("market_state.sigma"), "{err}");
        assert_eq!(s, UiState::default());
        // Hours in, seconds stored.
        s.set_text(InputField::AgeSec, "2,5").unwrap();
        assert_eq!(s.age_sec, 9000.0);
        // An SL is checked even while "none" is on.
        s.sl_none = true;
        assert!(s.set_text(InputField::Sl, "x").is_err());
        s.set_text(InputField::Sl, "98").unwrap();
        assert_eq!(s.sl, 98.0);
    }

    #[test]
    fn theta_text_takes_any_number_and_refuses_text() {
        let mut s = UiState::default();
        // Nonsense but computable: taken, and the proposal carries a warning (not an error).
        s.set_theta_text(ThetaField::KillThreshold, "1.5").unwrap();
        assert_eq!(s.theta.kill_threshold, 1.5);
        assert!(s.theta.is_valid());
        let p = propose(&s.to_input()).unwrap();
        assert_eq!(p.warnings[0].field, "theta.kill_threshold");
        s.set_theta_text(ThetaField::T2R, "1").unwrap();
        let p = propose(&s.to_input()).unwrap();
        assert_eq!(p.warnings[0].code, "thresholds_unordered");
        // What the kernel cannot compute: taken too, shown as the kernel's error.
        s.set_theta_text(ThetaField::SigmaRef, "0").unwrap();
        assert!(!s.theta.is_valid());
        assert_eq!(s.theta.validate_all()[0].field(), "theta.sigma_ref");
        let err = s
            .set_theta_text(ThetaField::KillThreshold, "oops")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("kill_threshold") && err.contains("0 < value < 1"),
            "{err}"
        );
        assert_eq!(s.theta.kill_threshold, 1.5);
    }

    #[test]
    fn p1_stop_takes_what_the_kernel_takes() {
        let mut s = UiState::default();
        s.set_text(InputField::Stop, "0").unwrap();
        let e = s.to_input().evaluate();
        assert!(!e.p1_used, "0: the fallback is used");
        s.set_text(InputField::Stop, "-0.01").unwrap();
        let p = propose(&s.to_input()).unwrap();
        assert_eq!(
            p.risk_unit, 1e-9,
            "a negative stop is used, the risk unit floored"
        );
        assert_eq!(p.warnings[0].code, "p1_stop_negative");
    }

    #[test]
    fn pnl_slider_spans_minus_3r_to_plus_10r() {
        let s = UiState::default();
        let r = s.slider(InputField::Pnl);
        // risk unit 2, cost 0.1
        assert_eq!((r.min, r.max, r.step), (-5.9, 20.1, 0.02));
        let mut big = s.clone();
        big.qty = 10.0;
        let r = big.slider(InputField::Pnl);
        assert_eq!((r.min, r.max, r.step), (-59.0, 201.0, 0.2));
        let mut wide = s.clone();
        wide.theta.t3_r = 12.0;
        assert_eq!(wide.slider(InputField::Pnl).max, 28.1);
        // Every action threshold lies inside the default range, on a step.
        for pnl in [4.1, 8.1, 12.1] {
            let k = (pnl - r.min) / r.step;
            assert!((k - k.round()).abs() < 1e-6 || big.qty != 1.0);
        }
        let sl = s.slider(InputField::Sl);
        assert_eq!((sl.min, sl.max, sl.step), (90.0, 110.0, 0.05));
        // Broken state: never NaN ranges.
        let mut broken = s.clone();
        broken.entry = f64::NAN;
        let r = broken.slider(InputField::Pnl);
        assert!(r.min.is_finite() && r.max > r.min);
        let r = broken.slider(InputField::Sl);
        assert!(r.min.is_finite() && r.max > r.min);
    }

    #[test]
    fn slider_steps_read_well() {
        assert_eq!(nice(0.02), 0.02);
        assert_eq!(nice(0.03), 0.02);
        assert_eq!(nice(0.07), 0.05);
    }

    #[test]
    fn arrow_steps() {
        let r = SliderRange {
            min: 0.0,
            max: 1.0,
            step: 0.01,
        };
        let wide = SliderRange {
            min: -5.0,
            max: 20.0,
            step: 0.5,
        };
        let cases: &[(SliderRange, f64, &str, Option<f64>)] = &[
            (r, 0.6, "ArrowUp", Some(0.61)),
            (r, 0.6, "ArrowDown", Some(0.59)),
            (r, 0.6, "PageUp", Some(0.7)),
            (r, 0.6, "PageDown", Some(0.5)),
            (r, 0.605, "ArrowUp", Some(0.61)),
            (r, 0.605, "ArrowDown", Some(0.6)),
            (r, 0.605, "PageUp", Some(0.7)),
            (r, 1.0, "ArrowUp", Some(1.0)),
            (r, 0.0, "ArrowDown", Some(0.0)),
            (r, 0.03, "PageDown", Some(0.0)),
            (r, 7.0, "ArrowDown", Some(1.0)),
            (wide, 4.0, "ArrowUp", Some(4.5)),
            (wide, -5.0, "PageUp", Some(0.0)),
            (r, 0.6, "ArrowLeft", None),
            (r, 0.6, "Enter", None),
            (r, f64::NAN, "ArrowUp", None),
        ];
        for &(range, v, key, want) in cases {
            assert_eq!(arrow_step(range, v, key), want, "{v} {key}");
        }
    }
}
