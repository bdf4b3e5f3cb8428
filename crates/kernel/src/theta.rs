//! Theta: the 22 tunables (`theta.harvest.*`), and the one table of parameter specs that drives
//! their validation and warnings.

use serde::{Deserialize, Serialize};

use super::error::KernelError;
use super::types::Warning;
use crate::num::Short;

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
        Theta::default_const()
    }
}

impl Theta {
    /// [`Theta::default`] in a `const` context.
    const fn default_const() -> Self {
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

/// Which values make sense for a tunable. Outside this range the kernel still computes, as the
/// running P2 system does, and says so in a warning.
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
    /// Whether `v` makes sense (always false for NaN and ±∞).
    ///
    /// ```
    /// use harvest_kernel::Validity;
    /// assert!(Validity::OpenUnit.allows(0.6));
    /// assert!(!Validity::OpenUnit.allows(1.0));
    /// ```
    pub fn allows(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                Validity::Finite => true,
                Validity::NonNegative => v >= 0.0,
                Validity::Positive => v > 0.0,
                Validity::OpenUnit => v > 0.0 && v < 1.0,
            }
    }

    /// The range in words, e.g. `"a number > 0"`.
    pub fn describe(self) -> &'static str {
        match self {
            Validity::Finite => "a finite number",
            Validity::NonNegative => "a number ≥ 0",
            Validity::Positive => "a number > 0",
            Validity::OpenUnit => "a number with 0 < value < 1",
        }
    }
}

/// The spec of one tunable: its wire name, unit, what the kernel refuses and what it warns about.
/// (How the dashboard shows it — slider range, group — is the dashboard's business.)
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Which tunable.
    pub field: ThetaField,
    /// JSON key, e.g. `"T1_R"`.
    pub key: &'static str,
    /// Unit of the value (`""` for a pure number).
    pub unit: &'static str,
    /// What makes sense; any other finite value is computed with a warning.
    pub sensible: Validity,
    /// The running system divides by it: 0 is an error (it cannot compute a proposal).
    pub divisor: bool,
    /// One-line help text.
    pub help: &'static str,
}

impl ParamSpec {
    /// What the kernel accepts at all, in words: `"a finite number"` or `"a finite number ≠ 0"`.
    pub fn accepts(&self) -> &'static str {
        if self.divisor {
            "a finite number ≠ 0 (the kernel divides by it)"
        } else {
            "a finite number"
        }
    }
}

macro_rules! params {
    ($( $field:ident, $key:literal, $unit:literal, $sensible:ident, $divisor:literal, $help:literal; )*) => {
        /// The parameter table, in wire order; index with `ThetaField as usize`. It drives
        /// validation ([`Theta::validate`]) and the warnings ([`Theta::warnings`]).
        pub const PARAMS: [ParamSpec; 22] = [
            $( ParamSpec {
                field: ThetaField::$field,
                key: $key,
                unit: $unit,
                sensible: Validity::$sensible,
                divisor: $divisor,
                help: $help,
            }, )*
        ];
    };
}

params! {
    FallbackStopPct, "fallback_stop_pct", "fraction", Positive, false,
        "Stop distance as a fraction of entry, used when P1 gives no stop (or a zero one)";
    CostBps, "cost_bps", "bps", NonNegative, false,
        "Estimated trading cost in basis points of entry notional, subtracted from PnL";
    T1R, "T1_R", "R", Finite, false,
        "R_net at which the first 25 % tranche is proposed";
    T2R, "T2_R", "R", Finite, false,
        "R_net at which 50 % is proposed (should exceed T1_R)";
    T3R, "T3_R", "R", Finite, false,
        "R_net at which 75 % is proposed (should exceed T2_R)";
    U1, "u1", "logit", Finite, false,
        "Tranche-weight logit of tranche 1 (audit only)";
    U2, "u2", "logit", Finite, false,
        "Tranche-weight logit of tranche 2 (audit only)";
    U3, "u3", "logit", Finite, false,
        "Tranche-weight logit of tranche 3 (audit only)";
    SoftmaxTemp, "softmax_temp", "", Positive, true,
        "Softmax temperature of the tranche weights";
    LockR, "lock_R", "R", Finite, false,
        "R_net at which the stop moves to break-even plus";
    BePlusPct, "be_plus_pct", "fraction", NonNegative, false,
        "Buffer beyond entry for the break-even-plus stop";
    TrendMin, "trend_min", "prob", Finite, false,
        "p_trend below this, with p_chop + p_mr > 0.5, is a regime flip";
    SigmaRef, "sigma_ref", "σ", Positive, true,
        "Reference volatility: the spike is σ/σ_ref − 1";
    SigmaSpikeCap, "sigma_spike_cap", "", NonNegative, false,
        "Largest value of the sigma-spike component";
    TsRef, "ts_ref", "TS", Finite, false,
        "Reference trend strength: the drop is ts_ref − TS";
    TsDropCap, "ts_drop_cap", "TS", NonNegative, false,
        "Largest value of the TS-drop component";
    MaxAgeSec, "max_age_sec", "s", Positive, true,
        "Age at which the age penalty reaches 1";
    KRegimeFlip, "k_regime_flip", "weight", NonNegative, false,
        "Weight of the regime flip in z";
    KSigmaSpike, "k_sigma_spike", "weight", NonNegative, false,
        "Weight of the sigma spike in z";
    KTsDrop, "k_ts_drop", "weight", NonNegative, false,
        "Weight of the TS drop in z";
    KAgePenalty, "k_age_penalty", "weight", NonNegative, false,
        "Weight of the age penalty in z";
    KillThreshold, "kill_threshold", "K", OpenUnit, false,
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

    /// Checks that the kernel can compute with these tunables; the first problem, in wire order.
    ///
    /// Errors are only what the running P2 system cannot compute either: a non-finite value,
    /// `sigma_ref`, `max_age_sec` or `softmax_temp` = 0 (it divides by them), and tranche weights
    /// whose `exp(u_i/softmax_temp)` overflows. Values that merely make no sense
    /// (`kill_threshold` outside (0, 1), unordered thresholds, negative weights, …) pass, and
    /// [`Theta::warnings`] names them.
    ///
    /// # Errors
    /// [`KernelError`] naming the field (`theta.<key>`), its value and what was expected.
    ///
    /// ```
    /// use harvest_kernel::Theta;
    /// let bad = Theta { sigma_ref: 0.0, ..Theta::default() };
    /// let err = bad.validate().unwrap_err();
    /// assert_eq!(err.field(), "theta.sigma_ref");
    /// assert!(err.to_string().contains("≠ 0"));
    /// // Nonsense but computable: no error, a warning.
    /// let odd = Theta { kill_threshold: 1.5, t2_r: 1.0, ..Theta::default() };
    /// assert!(odd.validate().is_ok());
    /// assert_eq!(odd.warnings().len(), 2);
    /// ```
    pub fn validate(&self) -> Result<(), KernelError> {
        self.validate_fields()?;
        self.tranche_weights().map(drop)
    }

    /// [`Theta::validate`] without the tranche weights.
    pub(crate) fn validate_fields(&self) -> Result<(), KernelError> {
        PARAMS.iter().try_for_each(|spec| self.check_field(spec))
    }

    fn check_field(&self, spec: &ParamSpec) -> Result<(), KernelError> {
        let v = self.get(spec.field);
        if !v.is_finite() {
            Err(KernelError::NonFinite {
                field: spec.field.path(),
                value: v,
            })
        } else if spec.divisor && v == 0.0 {
            Err(KernelError::OutOfRange {
                field: spec.field.path(),
                value: v,
                expected: spec.accepts().to_string(),
            })
        } else {
            Ok(())
        }
    }

    /// Every error at once (empty when the kernel can compute), in wire order: what the
    /// dashboard shows inline.
    pub fn validate_all(&self) -> Vec<KernelError> {
        let mut errors: Vec<KernelError> = PARAMS
            .iter()
            .filter_map(|spec| self.check_field(spec).err())
            .collect();
        if errors.is_empty() {
            if let Err(e) = self.tranche_weights() {
                errors.push(e);
            }
        }
        errors
    }

    /// Whether [`Theta::validate`] passes.
    pub fn is_valid(&self) -> bool {
        self.validate().is_ok()
    }

    /// What makes no sense in these tunables, though the kernel computes with them as the
    /// running P2 system does: a value outside its [`ParamSpec::sensible`] range (negative
    /// weights, caps, cost or BE+, a non-positive fallback stop, `kill_threshold` outside (0, 1),
    /// …) and `T1_R < T2_R < T3_R` broken (the cascade still checks T3_R, then T2_R, then T1_R).
    /// Non-finite values are errors, not warnings ([`Theta::validate`]).
    ///
    /// ```
    /// use harvest_kernel::Theta;
    /// let t = Theta { t3_r: 3.0, k_ts_drop: -0.5, ..Theta::default() };
    /// let w = t.warnings();
    /// assert_eq!(w[0].code, "thresholds_unordered");
    /// assert_eq!(w[0].field, "theta.T3_R");
    /// assert_eq!(w[1].code, "theta_out_of_range");
    /// assert_eq!(w[1].field, "theta.k_ts_drop");
    /// assert!(Theta::default().warnings().is_empty());
    /// ```
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        self.push_warnings(&mut out);
        out
    }

    /// [`Theta::warnings`] appended to `out` (nothing allocated when there are none).
    pub(crate) fn push_warnings(&self, out: &mut Vec<Warning>) {
        // The defaults (most inputs) make sense: nothing to check (tested below).
        if ThetaField::ALL
            .iter()
            .all(|&f| self.get(f).to_bits() == DEFAULT_BITS[f as usize])
        {
            return;
        }
        for spec in PARAMS.iter() {
            let v = self.get(spec.field);
            if self.check_field(spec).is_err() {
                continue; // an error, not a warning
            }
            if !spec.sensible.allows(v) {
                out.push(Warning {
                    code: "theta_out_of_range".to_string(),
                    field: spec.field.path().to_string(),
                    message: format!(
                        "{} = {} makes no sense: expected {}; used as given, as the P2 system does",
                        spec.key,
                        Short(v),
                        spec.sensible.describe()
                    ),
                });
            }
            let below = match spec.field {
                ThetaField::T2R => Some((ThetaField::T1R, self.t1_r)),
                ThetaField::T3R => Some((ThetaField::T2R, self.t2_r)),
                _ => None,
            };
            if let Some((lower, lv)) = below {
                if lv.is_finite() && v <= lv {
                    out.push(Warning {
                        code: "thresholds_unordered".to_string(),
                        field: spec.field.path().to_string(),
                        message: format!(
                            "{} = {} ≤ {} = {}: expected T1_R < T2_R < T3_R; the cascade checks \
                             T3_R, then T2_R, then T1_R, as written",
                            spec.key,
                            Short(v),
                            lower.key(),
                            Short(lv)
                        ),
                    });
                }
            }
        }
    }

    /// The fields in which `other` differs from `self`, with both values.
    pub fn diff(&self, other: &Theta) -> Vec<(ThetaField, f64, f64)> {
        ThetaField::ALL
            .iter()
            .filter(|&&f| self.get(f).to_bits() != other.get(f).to_bits())
            .map(|&f| (f, self.get(f), other.get(f)))
            .collect()
    }

    /// The tranche weights, exactly as the P2 system computes them (audit only):
    /// `e_i = exp(u_i / softmax_temp)`, `w_i = e_i / (e_1 + e_2 + e_3)`, and exactly
    /// `[1/3, 1/3, 1/3]` when that sum is below 1e-9. No max-shift: a large `u_i/softmax_temp`
    /// overflows, as it does there.
    ///
    /// # Errors
    /// `softmax_temp` = 0 or non-finite values; `theta.u<i>` when its `exp` overflows (above
    /// about 709.78); `audit.tranche_weights` when the sum of the three overflows.
    ///
    /// ```
    /// use harvest_kernel::Theta;
    /// assert_eq!(Theta::default().tranche_weights().unwrap(), [1.0 / 3.0; 3]);
    /// let tiny = Theta { u1: -30.0, u2: -30.0, u3: -40.0, ..Theta::default() };
    /// assert_eq!(tiny.tranche_weights().unwrap(), [1.0 / 3.0; 3]); // sum < 1e-9
    /// let huge = Theta { u2: 800.0, ..Theta::default() };
    /// assert_eq!(huge.tranche_weights().unwrap_err().field(), "theta.u2");
    /// ```
    pub fn tranche_weights(&self) -> Result<[f64; 3], KernelError> {
        let t = self.softmax_temp;
        self.check_field(ThetaField::SoftmaxTemp.spec())?;
        let fields = [ThetaField::U1, ThetaField::U2, ThetaField::U3];
        let mut e = [0.0; 3];
        for (i, &f) in fields.iter().enumerate() {
            let u = self.get(f);
            self.check_field(f.spec())?;
            e[i] = (u / t).exp();
            if !e[i].is_finite() {
                return Err(KernelError::OutOfRange {
                    field: f.path(),
                    value: u,
                    expected: format!(
                        "{} / softmax_temp ≤ {} (exp overflows above; softmax_temp = {})",
                        f.key(),
                        Short(MAX_EXP_ARG),
                        Short(t)
                    ),
                });
            }
        }
        let sum = e[0] + e[1] + e[2];
        if !sum.is_finite() {
            return Err(KernelError::NotComputable {
                field: "audit.tranche_weights",
                value: sum,
                cause: format!(
                    "exp(u1/T) + exp(u2/T) + exp(u3/T) overflows (theta.u1 = {}, theta.u2 = {}, \
                     theta.u3 = {}, theta.softmax_temp = {})",
                    Short(self.u1),
                    Short(self.u2),
                    Short(self.u3),
                    Short(t)
                ),
            });
        }
        if sum < UNIFORM_BELOW {
            return Ok([1.0 / 3.0; 3]);
        }
        Ok([e[0] / sum, e[1] / sum, e[2] / sum])
    }
}

/// The defaults' bits, in wire order ([`Theta::push_warnings`]'s shortcut).
const DEFAULT_BITS: [u64; 22] = {
    let d = Theta::default_const();
    let v = [
        d.fallback_stop_pct,
        d.cost_bps,
        d.t1_r,
        d.t2_r,
        d.t3_r,
        d.u1,
        d.u2,
        d.u3,
        d.softmax_temp,
        d.lock_r,
        d.be_plus_pct,
        d.trend_min,
        d.sigma_ref,
        d.sigma_spike_cap,
        d.ts_ref,
        d.ts_drop_cap,
        d.max_age_sec,
        d.k_regime_flip,
        d.k_sigma_spike,
        d.k_ts_drop,
        d.k_age_penalty,
        d.kill_threshold,
    ];
    let mut bits = [0u64; 22];
    let mut i = 0;
    while i < 22 {
        bits[i] = v[i].to_bits();
        i += 1;
    }
    bits
};

/// Below this sum of `exp(u_i/softmax_temp)` the tranche weights are exactly `[1/3, 1/3, 1/3]`.
pub const UNIFORM_BELOW: f64 = 1e-9;

/// `ln(f64::MAX)`: `exp` of anything larger overflows.
pub const MAX_EXP_ARG: f64 = 709.782712893384;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_no_warnings_and_the_shortcut_matches_them() {
        let d = Theta::default();
        for f in ThetaField::ALL {
            assert_eq!(d.get(f).to_bits(), DEFAULT_BITS[f as usize], "{f:?}");
        }
        assert!(d.warnings().is_empty());
        // -0.0 for a default 0.0 is not the defaults: checked, and still fine.
        assert!(Theta { u1: -0.0, ..d }.warnings().is_empty());
        assert_eq!(
            Theta { t2_r: 1.0, ..d }.warnings()[0].code,
            "thresholds_unordered"
        );
    }

    #[test]
    fn table_is_in_enum_and_wire_order() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert_eq!(p.field as usize, i);
            assert_eq!(p.field.path(), format!("theta.{}", p.key));
        }
        let json = serde_json::to_value(Theta::default()).unwrap();
        let mut got: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut want: Vec<&str> = PARAMS.iter().map(|p| p.key).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want);
        let divisors: Vec<&str> = PARAMS.iter().filter(|p| p.divisor).map(|p| p.key).collect();
        assert_eq!(divisors, ["softmax_temp", "sigma_ref", "max_age_sec"]);
    }

    #[test]
    fn defaults_are_valid_and_sensible() {
        let d = Theta::default();
        assert!(d.validate().is_ok());
        assert!(d.is_valid());
        assert!(d.validate_all().is_empty());
        assert!(d.warnings().is_empty());
        for p in PARAMS.iter() {
            assert!(p.sensible.allows(d.get(p.field)), "{}", p.key);
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

    /// One row per rule: the field set, its value, the error's field (if refused) and the
    /// warnings' (code, field) (if computed).
    #[test]
    fn validation_table() {
        use ThetaField::*;
        type Row = (
            ThetaField,
            f64,
            Option<&'static str>,
            &'static [(&'static str, &'static str)],
        );
        const OUT: &str = "theta_out_of_range";
        const ORDER: &str = "thresholds_unordered";
        let cases: &[Row] = &[
            (KillThreshold, 0.0, None, &[(OUT, "theta.kill_threshold")]),
            (KillThreshold, 1.0, None, &[(OUT, "theta.kill_threshold")]),
            (KillThreshold, -3.0, None, &[(OUT, "theta.kill_threshold")]),
            (KillThreshold, 0.999, None, &[]),
            (KRegimeFlip, -0.1, None, &[(OUT, "theta.k_regime_flip")]),
            (KSigmaSpike, -0.1, None, &[(OUT, "theta.k_sigma_spike")]),
            (KTsDrop, -0.1, None, &[(OUT, "theta.k_ts_drop")]),
            (KAgePenalty, -0.1, None, &[(OUT, "theta.k_age_penalty")]),
            (KAgePenalty, 0.0, None, &[]),
            (SigmaSpikeCap, -1.0, None, &[(OUT, "theta.sigma_spike_cap")]),
            (TsDropCap, -1.0, None, &[(OUT, "theta.ts_drop_cap")]),
            (CostBps, -0.5, None, &[(OUT, "theta.cost_bps")]),
            (BePlusPct, -0.001, None, &[(OUT, "theta.be_plus_pct")]),
            (
                FallbackStopPct,
                0.0,
                None,
                &[(OUT, "theta.fallback_stop_pct")],
            ),
            (
                FallbackStopPct,
                -0.02,
                None,
                &[(OUT, "theta.fallback_stop_pct")],
            ),
            (SigmaRef, 0.0, Some("theta.sigma_ref"), &[]),
            (SigmaRef, -0.0, Some("theta.sigma_ref"), &[]),
            (SigmaRef, -0.01, None, &[(OUT, "theta.sigma_ref")]),
            (MaxAgeSec, 0.0, Some("theta.max_age_sec"), &[]),
            (MaxAgeSec, -5.0, None, &[(OUT, "theta.max_age_sec")]),
            (SoftmaxTemp, 0.0, Some("theta.softmax_temp"), &[]),
            (SoftmaxTemp, -1.0, None, &[(OUT, "theta.softmax_temp")]),
            (T2R, 2.0, None, &[(ORDER, "theta.T2_R")]),
            (T3R, 4.0, None, &[(ORDER, "theta.T3_R")]),
            (T1R, 4.0, None, &[(ORDER, "theta.T2_R")]),
            (T1R, 7.0, None, &[(ORDER, "theta.T2_R")]),
            (T3R, 1.0, None, &[(ORDER, "theta.T3_R")]),
            (U1, -100.0, None, &[]),
            (U1, 709.0, None, &[]),
            (U1, 710.0, Some("theta.u1"), &[]),
            (U3, 1e300, Some("theta.u3"), &[]),
            (LockR, -1.0, None, &[]),
            (TrendMin, f64::NAN, Some("theta.trend_min"), &[]),
            (TsRef, f64::INFINITY, Some("theta.ts_ref"), &[]),
            (
                KillThreshold,
                f64::NEG_INFINITY,
                Some("theta.kill_threshold"),
                &[],
            ),
        ];
        for &(f, v, error, warnings) in cases {
            let t = Theta::default().with(f, v);
            let got = t.validate().err().map(|e| e.field());
            assert_eq!(got, error, "{} = {v}", f.key());
            assert_eq!(t.is_valid(), error.is_none(), "{} = {v}", f.key());
            let got: Vec<(String, String)> = t
                .warnings()
                .into_iter()
                .map(|w| (w.code, w.field))
                .collect();
            let want: Vec<(String, String)> = warnings
                .iter()
                .map(|(c, f)| (c.to_string(), f.to_string()))
                .collect();
            assert_eq!(got, want, "{} = {v}", f.key());
        }
    }

    #[test]
    fn messages_name_field_value_and_expectation() {
        let t = Theta {
            max_age_sec: 0.0,
            ..Theta::default()
        };
        assert_eq!(
            t.validate().unwrap_err().to_string(),
            "theta.max_age_sec = 0 is out of range: expected a finite number ≠ 0 (the kernel divides by it)"
        );
        let w = Theta {
            kill_threshold: 1.5,
            ..Theta::default()
        }
        .warnings();
        assert_eq!(
            w[0].message,
            "kill_threshold = 1.5 makes no sense: expected a number with 0 < value < 1; used as \
             given, as the P2 system does"
        );
        let w = Theta {
            t2_r: 1.0,
            ..Theta::default()
        }
        .warnings();
        assert!(
            w[0].message.starts_with("T2_R = 1 ≤ T1_R = 2"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn validate_all_reports_every_field() {
        let t = Theta {
            kill_threshold: f64::NAN,
            sigma_ref: 0.0,
            max_age_sec: 0.0,
            ..Theta::default()
        };
        let fields: Vec<&str> = t.validate_all().iter().map(|e| e.field()).collect();
        assert_eq!(
            fields,
            vec![
                "theta.sigma_ref",
                "theta.max_age_sec",
                "theta.kill_threshold"
            ]
        );
        let t = Theta {
            u1: 1e6,
            ..Theta::default()
        };
        let fields: Vec<&str> = t.validate_all().iter().map(|e| e.field()).collect();
        assert_eq!(fields, vec!["theta.u1"]);
    }

    #[test]
    fn tranche_weights_exactly_as_written() {
        let t = Theta {
            u1: 1.0,
            u2: 0.0,
            u3: -1.0,
            softmax_temp: 0.5,
            ..Theta::default()
        };
        let w = t.tranche_weights().unwrap();
        let e = [2f64.exp(), 0f64.exp(), (-2f64).exp()];
        let s = e[0] + e[1] + e[2];
        assert_eq!(w, [e[0] / s, e[1] / s, e[2] / s], "bit for bit, no shift");
        // Very negative logits: the sum is below 1e-9, the weights are exactly uniform
        // (a shifted softmax would give [0.5, 0.5, 0]).
        let t = Theta {
            u1: -25.0,
            u2: -25.0,
            u3: -1000.0,
            ..Theta::default()
        };
        assert!((-25f64).exp() * 2.0 < UNIFORM_BELOW);
        assert_eq!(t.tranche_weights().unwrap(), [1.0 / 3.0; 3]);
        // Just above the bar: as written.
        let t = Theta {
            u1: -20.0,
            u2: -20.0,
            u3: -20.0,
            ..Theta::default()
        };
        let e = (-20f64).exp();
        assert_eq!(t.tranche_weights().unwrap(), [e / (e + e + e); 3]);
        // A negative temperature is computed (with a warning), as the P2 system does.
        let t = Theta {
            u1: 1.0,
            softmax_temp: -1.0,
            ..Theta::default()
        };
        let e = [(-1f64).exp(), 1.0, 1.0];
        let s = e[0] + e[1] + e[2];
        assert_eq!(t.tranche_weights().unwrap(), [e[0] / s, e[1] / s, e[2] / s]);
        // Overflow: an error naming the tunable.
        let t = Theta {
            u1: 1.0,
            softmax_temp: 1e-300,
            ..Theta::default()
        };
        let err = t.tranche_weights().unwrap_err();
        assert_eq!(err.field(), "theta.u1");
        assert!(err.to_string().contains("exp overflows"), "{err}");
        // Three large but finite exps whose sum overflows.
        let t = Theta {
            u1: 709.7,
            u2: 709.7,
            u3: 709.7,
            ..Theta::default()
        };
        assert_eq!(
            t.tranche_weights().unwrap_err().field(),
            "audit.tranche_weights"
        );
    }
}
