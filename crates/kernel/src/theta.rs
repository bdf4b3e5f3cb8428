//! Theta: the 22 tunables (`theta.harvest.*`), and the one table of parameter specs that drives
//! both validation and the dashboard's sliders.

use serde::{Deserialize, Serialize};

use super::error::KernelError;
use crate::num::Num;

/// The tunables. Every field is optional on the wire: a missing one takes its default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Theta {
    /// Stop distance (fraction of entry) when P1 is unavailable.
    pub fallback_stop_pct: f64,
    /// Round-trip cost estimate in basis points of entry notional.
    pub cost_bps: f64,
    /// R_net that triggers PARTIAL_25.
    #[serde(rename = "T1_R")]
    pub t1_r: f64,
    /// R_net that triggers PARTIAL_50.
    #[serde(rename = "T2_R")]
    pub t2_r: f64,
    /// R_net that triggers PARTIAL_75.
    #[serde(rename = "T3_R")]
    pub t3_r: f64,
    /// Tranche-weight logit 1 (audit only).
    pub u1: f64,
    /// Tranche-weight logit 2 (audit only).
    pub u2: f64,
    /// Tranche-weight logit 3 (audit only).
    pub u3: f64,
    /// Softmax temperature for the tranche weights.
    pub softmax_temp: f64,
    /// R_net that triggers the profit lock.
    #[serde(rename = "lock_R")]
    pub lock_r: f64,
    /// Break-even-plus buffer (fraction of entry).
    pub be_plus_pct: f64,
    /// p_trend below this (with chop + MR > 0.5) is a regime flip.
    pub trend_min: f64,
    /// Reference volatility for the spike component.
    pub sigma_ref: f64,
    /// Cap of the sigma-spike component.
    pub sigma_spike_cap: f64,
    /// Reference trend strength for the TS-drop component.
    pub ts_ref: f64,
    /// Cap of the TS-drop component.
    pub ts_drop_cap: f64,
    /// Age at which the age penalty saturates, seconds.
    pub max_age_sec: f64,
    /// Weight of the regime-flip component in z.
    pub k_regime_flip: f64,
    /// Weight of the sigma-spike component in z.
    pub k_sigma_spike: f64,
    /// Weight of the TS-drop component in z.
    pub k_ts_drop: f64,
    /// Weight of the age-penalty component in z.
    pub k_age_penalty: f64,
    /// K at or above which a full close is proposed.
    pub kill_threshold: f64,
}

impl Default for Theta {
    /// The P2 system's defaults.
    fn default() -> Self {
        Theta {
            fallback_stop_pct: 0.02,
            cost_bps: 10.0,
            t1_r: 2.0,
            t2_r: 4.0,
            t3_r: 6.0,
            u1: 0.0,
            u2: 0.0,
            u3: 0.0,
            softmax_temp: 1.0,
            lock_r: 1.5,
            be_plus_pct: 0.002,
            trend_min: 0.3,
            sigma_ref: 0.01,
            sigma_spike_cap: 2.0,
            ts_ref: 0.3,
            ts_drop_cap: 0.5,
            max_age_sec: 86400.0,
            k_regime_flip: 1.0,
            k_sigma_spike: 0.5,
            k_ts_drop: 0.5,
            k_age_penalty: 0.3,
            kill_threshold: 0.6,
        }
    }
}

/// One tunable, by name. `PARAMS[field as usize]` is its spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ThetaField {
    /// `fallback_stop_pct`
    FallbackStopPct,
    /// `cost_bps`
    CostBps,
    /// `T1_R`
    T1R,
    /// `T2_R`
    T2R,
    /// `T3_R`
    T3R,
    /// `u1`
    U1,
    /// `u2`
    U2,
    /// `u3`
    U3,
    /// `softmax_temp`
    SoftmaxTemp,
    /// `lock_R`
    LockR,
    /// `be_plus_pct`
    BePlusPct,
    /// `trend_min`
    TrendMin,
    /// `sigma_ref`
    SigmaRef,
    /// `sigma_spike_cap`
    SigmaSpikeCap,
    /// `ts_ref`
    TsRef,
    /// `ts_drop_cap`
    TsDropCap,
    /// `max_age_sec`
    MaxAgeSec,
    /// `k_regime_flip`
    KRegimeFlip,
    /// `k_sigma_spike`
    KSigmaSpike,
    /// `k_ts_drop`
    KTsDrop,
    /// `k_age_penalty`
    KAgePenalty,
    /// `kill_threshold`
    KillThreshold,
}

/// Where a tunable sits in the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamGroup {
    /// Stop, cost, R triggers and tranche weights.
    HarvestTriggers,
    /// Break-even-plus stop.
    ProfitLock,
    /// Kill-score components, weights and threshold.
    KillScore,
}

impl ParamGroup {
    /// Heading shown in the dashboard.
    pub fn title(self) -> &'static str {
        match self {
            ParamGroup::HarvestTriggers => "Harvest triggers",
            ParamGroup::ProfitLock => "Profit lock",
            ParamGroup::KillScore => "Kill score",
        }
    }
}

/// Which values can mean anything at all (the kernel rejects the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// Any finite number.
    Finite,
    /// `value ≥ 0`.
    NonNegative,
    /// `value > 0`.
    Positive,
    /// `0 < value < 1`.
    OpenUnit,
}

impl Validity {
    /// Whether `v` is allowed (always false for NaN and ±∞).
    pub fn allows(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                Validity::Finite => true,
                Validity::NonNegative => v >= 0.0,
                Validity::Positive => v > 0.0,
                Validity::OpenUnit => v > 0.0 && v < 1.0,
            }
    }

    /// The allowed range in words, e.g. `"a number > 0"`.
    pub fn describe(self) -> &'static str {
        match self {
            Validity::Finite => "a finite number",
            Validity::NonNegative => "a number ≥ 0",
            Validity::Positive => "a number > 0",
            Validity::OpenUnit => "a number with 0 < value < 1",
        }
    }
}

/// The spec of one tunable: its wire name, unit, slider range, validity and help text.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Which tunable.
    pub field: ThetaField,
    /// JSON key, e.g. `"T1_R"`.
    pub key: &'static str,
    /// Unit shown beside the value.
    pub unit: &'static str,
    /// Dashboard group.
    pub group: ParamGroup,
    /// Slider minimum.
    pub min: f64,
    /// Slider maximum.
    pub max: f64,
    /// Slider step.
    pub step: f64,
    /// What values the kernel accepts (wider than the slider range).
    pub validity: Validity,
    /// One-line help text.
    pub help: &'static str,
}

macro_rules! params {
    ($( $field:ident, $key:literal, $unit:literal, $group:ident, $min:expr, $max:expr, $step:expr, $valid:ident, $help:literal; )*) => {
        /// The parameter table, in wire order; index with `ThetaField as usize`.
        pub const PARAMS: [ParamSpec; 22] = [
            $( ParamSpec {
                field: ThetaField::$field,
                key: $key,
                unit: $unit,
                group: ParamGroup::$group,
                min: $min,
                max: $max,
                step: $step,
                validity: Validity::$valid,
                help: $help,
            }, )*
        ];
    };
}

params! {
    FallbackStopPct, "fallback_stop_pct", "fraction", HarvestTriggers, 0.001, 0.1, 0.001, Positive,
        "Stop distance as a fraction of entry, used when P1 gives no usable stop";
    CostBps, "cost_bps", "bps", HarvestTriggers, 0.0, 100.0, 0.5, NonNegative,
        "Estimated trading cost in basis points of entry notional, subtracted from PnL";
    T1R, "T1_R", "R", HarvestTriggers, 0.0, 10.0, 0.05, Finite,
        "R_net at which the first 25 % tranche is proposed";
    T2R, "T2_R", "R", HarvestTriggers, 0.0, 15.0, 0.05, Finite,
        "R_net at which 50 % is proposed (must exceed T1_R)";
    T3R, "T3_R", "R", HarvestTriggers, 0.0, 20.0, 0.05, Finite,
        "R_net at which 75 % is proposed (must exceed T2_R)";
    U1, "u1", "logit", HarvestTriggers, -5.0, 5.0, 0.1, Finite,
        "Tranche-weight logit of tranche 1 (audit only)";
    U2, "u2", "logit", HarvestTriggers, -5.0, 5.0, 0.1, Finite,
        "Tranche-weight logit of tranche 2 (audit only)";
    U3, "u3", "logit", HarvestTriggers, -5.0, 5.0, 0.1, Finite,
        "Tranche-weight logit of tranche 3 (audit only)";
    SoftmaxTemp, "softmax_temp", "", HarvestTriggers, 0.05, 10.0, 0.05, Positive,
        "Softmax temperature of the tranche weights";
    LockR, "lock_R", "R", ProfitLock, 0.0, 10.0, 0.05, Finite,
        "R_net at which the stop moves to break-even plus";
    BePlusPct, "be_plus_pct", "fraction", ProfitLock, 0.0, 0.02, 0.0005, NonNegative,
        "Buffer beyond entry for the break-even-plus stop";
    TrendMin, "trend_min", "prob", KillScore, 0.0, 1.0, 0.01, Finite,
        "p_trend below this, with p_chop + p_mr > 0.5, is a regime flip";
    SigmaRef, "sigma_ref", "σ", KillScore, 0.001, 0.1, 0.001, Positive,
        "Reference volatility: the spike is σ/σ_ref − 1";
    SigmaSpikeCap, "sigma_spike_cap", "", KillScore, 0.0, 10.0, 0.1, NonNegative,
        "Largest value of the sigma-spike component";
    TsRef, "ts_ref", "TS", KillScore, 0.0, 1.0, 0.01, Finite,
        "Reference trend strength: the drop is ts_ref − TS";
    TsDropCap, "ts_drop_cap", "TS", KillScore, 0.0, 2.0, 0.05, NonNegative,
        "Largest value of the TS-drop component";
    MaxAgeSec, "max_age_sec", "s", KillScore, 3600.0, 604800.0, 3600.0, Positive,
        "Age at which the age penalty reaches 1";
    KRegimeFlip, "k_regime_flip", "weight", KillScore, 0.0, 5.0, 0.05, NonNegative,
        "Weight of the regime flip in z";
    KSigmaSpike, "k_sigma_spike", "weight", KillScore, 0.0, 5.0, 0.05, NonNegative,
        "Weight of the sigma spike in z";
    KTsDrop, "k_ts_drop", "weight", KillScore, 0.0, 5.0, 0.05, NonNegative,
        "Weight of the TS drop in z";
    KAgePenalty, "k_age_penalty", "weight", KillScore, 0.0, 5.0, 0.05, NonNegative,
        "Weight of the age penalty in z";
    KillThreshold, "kill_threshold", "K", KillScore, 0.01, 0.99, 0.005, OpenUnit,
        "K at or above which a full close is proposed";
}

impl ThetaField {
    /// All 22 fields, in wire order.
    pub const ALL: [ThetaField; 22] = {
        let mut all = [ThetaField::FallbackStopPct; 22];
        let mut i = 0;
        while i < 22 {
            all[i] = PARAMS[i].field;
            i += 1;
        }
        all
    };

    /// This field's spec.
    pub fn spec(self) -> &'static ParamSpec {
        &PARAMS[self as usize]
    }

    /// The JSON key, e.g. `"kill_threshold"`.
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// Looks a field up by its JSON key.
    ///
    /// ```
    /// use harvest_kernel::ThetaField;
    /// assert_eq!(ThetaField::from_key("T2_R"), Some(ThetaField::T2R));
    /// assert_eq!(ThetaField::from_key("t2_r"), None);
    /// ```
    pub fn from_key(key: &str) -> Option<Self> {
        PARAMS.iter().find(|p| p.key == key).map(|p| p.field)
    }

    /// JSON path used in errors, e.g. `theta.kill_threshold`.
    pub fn path(self) -> &'static str {
        THETA_PATHS[self as usize]
    }
}

const THETA_PATHS: [&str; 22] = [
    "theta.fallback_stop_pct",
    "theta.cost_bps",
    "theta.T1_R",
    "theta.T2_R",
    "theta.T3_R",
    "theta.u1",
    "theta.u2",
    "theta.u3",
    "theta.softmax_temp",
    "theta.lock_R",
    "theta.be_plus_pct",
    "theta.trend_min",
    "theta.sigma_ref",
    "theta.sigma_spike_cap",
    "theta.ts_ref",
    "theta.ts_drop_cap",
    "theta.max_age_sec",
    "theta.k_regime_flip",
    "theta.k_sigma_spike",
    "theta.k_ts_drop",
    "theta.k_age_penalty",
    "theta.kill_threshold",
];

impl Theta {
    /// Reads one tunable.
    ///
    /// ```
    /// use harvest_kernel::{Theta, ThetaField};
    /// assert_eq!(Theta::default().get(ThetaField::KillThreshold), 0.6);
    /// ```
    pub fn get(&self, field: ThetaField) -> f64 {
        *self.slot(field)
    }

    /// Writes one tunable (no validation: call [`Theta::validate`]).
    pub fn set(&mut self, field: ThetaField, value: f64) {
        *self.slot_mut(field) = value;
    }

    /// Returns a copy with one tunable changed.
    pub fn with(mut self, field: ThetaField, value: f64) -> Self {
        self.set(field, value);
        self
    }

    fn slot(&self, field: ThetaField) -> &f64 {
        use ThetaField::*;
        match field {
            FallbackStopPct => &self.fallback_stop_pct,
            CostBps => &self.cost_bps,
            T1R => &self.t1_r,
            T2R => &self.t2_r,
            T3R => &self.t3_r,
            U1 => &self.u1,
            U2 => &self.u2,
            U3 => &self.u3,
            SoftmaxTemp => &self.softmax_temp,
            LockR => &self.lock_r,
            BePlusPct => &self.be_plus_pct,
            TrendMin => &self.trend_min,
            SigmaRef => &self.sigma_ref,
            SigmaSpikeCap => &self.sigma_spike_cap,
            TsRef => &self.ts_ref,
            TsDropCap => &self.ts_drop_cap,
            MaxAgeSec => &self.max_age_sec,
            KRegimeFlip => &self.k_regime_flip,
            KSigmaSpike => &self.k_sigma_spike,
            KTsDrop => &self.k_ts_drop,
            KAgePenalty => &self.k_age_penalty,
            KillThreshold => &self.kill_threshold,
        }
    }

    fn slot_mut(&mut self, field: ThetaField) -> &mut f64 {
        use ThetaField::*;
        match field {
            FallbackStopPct => &mut self.fallback_stop_pct,
            CostBps => &mut self.cost_bps,
            T1R => &mut self.t1_r,
            T2R => &mut self.t2_r,
            T3R => &mut self.t3_r,
            U1 => &mut self.u1,
            U2 => &mut self.u2,
            U3 => &mut self.u3,
            SoftmaxTemp => &mut self.softmax_temp,
            LockR => &mut self.lock_r,
            BePlusPct => &mut self.be_plus_pct,
            TrendMin => &mut self.trend_min,
            SigmaRef => &mut self.sigma_ref,
            SigmaSpikeCap => &mut self.sigma_spike_cap,
            TsRef => &mut self.ts_ref,
            TsDropCap => &mut self.ts_drop_cap,
            MaxAgeSec => &mut self.max_age_sec,
            KRegimeFlip => &mut self.k_regime_flip,
            KSigmaSpike => &mut self.k_sigma_spike,
            KTsDrop => &mut self.k_ts_drop,
            KAgePenalty => &mut self.k_age_penalty,
            KillThreshold => &mut self.kill_threshold,
        }
    }

    /// Checks that the tunables can mean anything; the first problem, in wire order.
    ///
    /// Each field must satisfy its [`Validity`] (finite; weights, caps, cost and BE+ ≥ 0;
    /// `sigma_ref`, `max_age_sec`, `softmax_temp`, `fallback_stop_pct` > 0; `0 < kill_threshold < 1`),
    /// and `T1_R < T2_R < T3_R`.
    ///
    /// # Errors
    /// [`KernelError`] naming the field (`theta.<key>`), its value and the allowed range.
    ///
    /// ```
    /// use harvest_kernel::Theta;
    /// let bad = Theta { kill_threshold: 1.5, ..Theta::default() };
    /// let err = bad.validate().unwrap_err();
    /// assert_eq!(err.field(), "theta.kill_threshold");
    /// assert!(err.to_string().contains("0 < value < 1"));
    /// ```
    pub fn validate(&self) -> Result<(), KernelError> {
        match self.validate_all().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every problem at once (empty when valid), in wire order: what the dashboard shows inline.
    pub fn validate_all(&self) -> Vec<KernelError> {
        let mut errors = Vec::new();
        for spec in PARAMS.iter() {
            let v = self.get(spec.field);
            if !v.is_finite() {
                errors.push(KernelError::NonFinite {
                    field: spec.field.path(),
                    value: v,
                });
            } else if !spec.validity.allows(v) {
                errors.push(KernelError::OutOfRange {
                    field: spec.field.path(),
                    value: v,
                    expected: spec.validity.describe().to_string(),
                });
            } else if spec.field == ThetaField::T2R && self.t1_r.is_finite() && v <= self.t1_r {
                errors.push(KernelError::OutOfRange {
                    field: spec.field.path(),
                    value: v,
                    expected: format!("a number > T1_R (= {}): T1_R < T2_R < T3_R", Num(self.t1_r)),
                });
            } else if spec.field == ThetaField::T3R && self.t2_r.is_finite() && v <= self.t2_r {
                errors.push(KernelError::OutOfRange {
                    field: spec.field.path(),
                    value: v,
                    expected: format!("a number > T2_R (= {}): T1_R < T2_R < T3_R", Num(self.t2_r)),
                });
            }
        }
        errors
    }

    /// Whether [`Theta::validate`] passes, without allocating.
    pub fn is_valid(&self) -> bool {
        PARAMS.iter().all(|s| s.validity.allows(self.get(s.field)))
            && self.t1_r < self.t2_r
            && self.t2_r < self.t3_r
    }

    /// The fields in which `other` differs from `self`, with both values.
    pub fn diff(&self, other: &Theta) -> Vec<(ThetaField, f64, f64)> {
        ThetaField::ALL
            .iter()
            .filter(|&&f| self.get(f).to_bits() != other.get(f).to_bits())
            .map(|&f| (f, self.get(f), other.get(f)))
            .collect()
    }

    /// Softmax of `u / softmax_temp`, computed stably (max subtracted first); sums to 1.
    ///
    /// `w_i = exp(u_i/T − m) / Σ_j exp(u_j/T − m)`, `m = max_j u_j/T`.
    ///
    /// ```
    /// use harvest_kernel::Theta;
    /// assert_eq!(Theta::default().tranche_weights(), [1.0 / 3.0; 3]);
    /// ```
    pub fn tranche_weights(&self) -> [f64; 3] {
        let t = self.softmax_temp;
        let x = [self.u1 / t, self.u2 / t, self.u3 / t];
        let m = x[0].max(x[1]).max(x[2]);
        if !m.is_finite() {
            return [1.0 / 3.0; 3];
        }
        let e = [(x[0] - m).exp(), (x[1] - m).exp(), (x[2] - m).exp()];
        let s = e[0] + e[1] + e[2];
        [e[0] / s, e[1] / s, e[2] / s]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_and_wire_order() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert_eq!(p.field as usize, i);
            assert_eq!(p.field.path(), format!("theta.{}", p.key));
            assert!(p.min < p.max && p.step > 0.0, "{}", p.key);
        }
        let json = serde_json::to_value(Theta::default()).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut want: Vec<&str> = PARAMS.iter().map(|p| p.key).collect();
        let mut got = keys.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn defaults_sit_inside_slider_ranges_and_are_valid() {
        let d = Theta::default();
        assert!(d.validate().is_ok());
        assert!(d.is_valid());
        for p in PARAMS.iter() {
            let v = d.get(p.field);
            assert!(
                p.min <= v && v <= p.max,
                "{} default {v} outside slider",
                p.key
            );
        }
    }

    #[test]
    fn get_set_round_trip_every_field() {
        for f in ThetaField::ALL {
            let t = Theta::default().with(f, 0.123);
            assert_eq!(t.get(f), 0.123);
            assert_eq!(
                Theta::default().diff(&t),
                vec![(f, Theta::default().get(f), 0.123)]
            );
        }
    }

    #[test]
    fn missing_fields_take_defaults() {
        let t: Theta = serde_json::from_str(r#"{"kill_threshold": 0.5}"#).unwrap();
        assert_eq!(
            t,
            Theta {
                kill_threshold: 0.5,
                ..Theta::default()
            }
        );
    }

    #[test]
    fn validation_table() {
        use ThetaField::*;
        let cases: &[(ThetaField, f64, Option<&str>)] = &[
            (KillThreshold, 0.0, Some("theta.kill_threshold")),
            (KillThreshold, 1.0, Some("theta.kill_threshold")),
            (KillThreshold, 0.999, None),
            (KRegimeFlip, -0.1, Some("theta.k_regime_flip")),
            (KAgePenalty, 0.0, None),
            (SigmaSpikeCap, -1.0, Some("theta.sigma_spike_cap")),
            (TsDropCap, -1.0, Some("theta.ts_drop_cap")),
            (CostBps, -0.5, Some("theta.cost_bps")),
            (BePlusPct, -0.001, Some("theta.be_plus_pct")),
            (SigmaRef, 0.0, Some("theta.sigma_ref")),
            (MaxAgeSec, 0.0, Some("theta.max_age_sec")),
            (SoftmaxTemp, 0.0, Some("theta.softmax_temp")),
            (FallbackStopPct, 0.0, Some("theta.fallback_stop_pct")),
            (T2R, 2.0, Some("theta.T2_R")),
            (T3R, 4.0, Some("theta.T3_R")),
            (T1R, 4.0, Some("theta.T2_R")),
            (U1, -100.0, None),
            (LockR, -1.0, None),
            (TrendMin, f64::NAN, Some("theta.trend_min")),
            (TsRef, f64::INFINITY, Some("theta.ts_ref")),
        ];
        for &(f, v, want) in cases {
            let t = Theta::default().with(f, v);
            let got = t.validate().err().map(|e| e.field());
            assert_eq!(got, want, "{} = {v}", f.key());
            assert_eq!(t.is_valid(), want.is_none(), "{} = {v}", f.key());
        }
    }

    #[test]
    fn validate_all_reports_every_field() {
        let t = Theta {
            kill_threshold: 2.0,
            sigma_ref: -1.0,
            ..Theta::default()
        };
        let fields: Vec<&str> = t.validate_all().iter().map(|e| e.field()).collect();
        assert_eq!(fields, vec!["theta.sigma_ref", "theta.kill_threshold"]);
    }

    #[test]
    fn tranche_weights_softmax() {
        let t = Theta {
            u1: 1.0,
            u2: 0.0,
            u3: -1.0,
            softmax_temp: 0.5,
            ..Theta::default()
        };
        let w = t.tranche_weights();
        let e = [2f64.exp(), 1.0, (-2f64).exp()];
        let s: f64 = e.iter().sum();
        for i in 0..3 {
            assert!((w[i] - e[i] / s).abs() < 1e-15);
        }
        // Stable for huge logits.
        let t = Theta {
            u1: 1e300,
            u2: 0.0,
            u3: 0.0,
            softmax_temp: 1e-300,
            ..Theta::default()
        };
        let w = t.tranche_weights();
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
