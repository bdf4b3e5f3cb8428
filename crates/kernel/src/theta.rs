//! Theta: the 22 tunables (`theta.harvest.*`), all spelled once, in one list (the
//! `tunables!` table below): each row gives a tunable's field, its [`ThetaField`] variant, wire
//! key, default, unit, what makes sense, whether the kernel divides by it, its group and the
//! range worth exploring (its slider), and its help. The [`Theta`] struct with its serde names and
//! [`Default`], the field enum, the parameter table [`PARAMS`] that drives validation, warnings,
//! sliders and sweeps, the JSON paths and the accessors ([`Theta::get`], [`Theta::set`]) all come
//! from it: adding a tunable is one row.

use serde::{Deserialize, Serialize};

use super::error::KernelError;
use super::types::Warning;
use crate::num::Short;

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

/// Which part of the kernel a tunable drives (the dashboard groups its sliders so).
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
    /// The groups, in panel order.
    pub const ALL: [ParamGroup; 3] = [
        ParamGroup::HarvestTriggers,
        ParamGroup::ProfitLock,
        ParamGroup::KillScore,
    ];

    /// Its heading, e.g. `"Kill score"`.
    pub fn title(self) -> &'static str {
        match self {
            ParamGroup::HarvestTriggers => "Harvest triggers",
            ParamGroup::ProfitLock => "Profit lock",
            ParamGroup::KillScore => "Kill score",
        }
    }
}

/// A slider's range: `min ..= max` in steps of `step`. For a tunable, the values worth exploring
/// (sliders, sweeps, chart domains): every value in it makes sense ([`ParamSpec::sensible`]),
/// and the kernel computes with any finite value outside it too.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SliderRange {
    /// Lowest value.
    pub min: f64,
    /// Highest value.
    pub max: f64,
    /// Step.
    pub step: f64,
}

/// The spec of one tunable: its wire name and JSON path, default, unit, what the kernel refuses
/// and what it warns about, its group and the range worth exploring.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Which tunable.
    pub field: ThetaField,
    /// JSON key, e.g. `"T1_R"`.
    pub key: &'static str,
    /// JSON path used in errors, e.g. `"theta.T1_R"`.
    pub path: &'static str,
    /// The P2 system's default.
    pub default: f64,
    /// Unit of the value (`""` for a pure number).
    pub unit: &'static str,
    /// What makes sense; any other finite value is computed with a warning.
    pub sensible: Validity,
    /// The running system divides by it: 0 is an error (it cannot compute a proposal).
    pub divisor: bool,
    /// The part of the kernel it drives.
    pub group: ParamGroup,
    /// The values worth exploring (its slider).
    pub slider: SliderRange,
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

/// The list of tunables, one row each, in wire order:
/// `doc, field: Variant = default, "key", "unit", sensible, divisor, Group (min, max, step), "help";`
macro_rules! tunables {
    ($( #[doc = $doc:literal] $field:ident: $variant:ident = $default:expr, $key:literal,
        $unit:literal, $sensible:ident, $divisor:literal, $group:ident ($min:expr, $max:expr,
        $step:expr), $help:literal; )*) => {
        /// The tunables. Every field is optional on the wire: a missing one takes its default.
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct Theta {
            $( #[doc = $doc] #[serde(rename = $key)] pub $field: f64, )*
        }

        impl Theta {
            /// [`Theta::default`] in a `const` context.
            const fn default_const() -> Self {
                Theta { $( $field: $default, )* }
            }

            /// Bit-for-bit equality, field by field (so `-0.0` and `0.0` differ, and a NaN
            /// equals the same NaN): what a cache of results by theta compares.
            ///
            /// ```
            /// use harvest_kernel::Theta;
            /// let d = Theta::default();
            /// assert!(d.same_bits(&d));
            /// assert!(!d.same_bits(&Theta { u1: -0.0, ..d }));
            /// ```
            pub fn same_bits(&self, other: &Theta) -> bool {
                true $( && self.$field.to_bits() == other.$field.to_bits() )*
            }

            fn slot(&self, field: ThetaField) -> &f64 {
                match field { $( ThetaField::$variant => &self.$field, )* }
            }

            fn slot_mut(&mut self, field: ThetaField) -> &mut f64 {
                match field { $( ThetaField::$variant => &mut self.$field, )* }
            }
        }

        /// One tunable, by name. `PARAMS[field as usize]` is its spec.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum ThetaField {
            $( #[doc = concat!("`", $key, "`")] $variant, )*
        }

        /// How many tunables there are.
        const THETA_LEN: usize = [$( $key ),*].len();

        /// The parameter table, in wire order; index with `ThetaField as usize`. It drives
        /// validation ([`Theta::validate`]), the warnings ([`Theta::warnings`]), and the
        /// sliders and sweeps ([`ParamSpec::slider`]).
        pub const PARAMS: [ParamSpec; THETA_LEN] = [
            $( ParamSpec {
                field: ThetaField::$variant,
                key: $key,
                path: concat!("theta.", $key),
                default: $default,
                unit: $unit,
                sensible: Validity::$sensible,
                divisor: $divisor,
                group: ParamGroup::$group,
                slider: SliderRange { min: $min, max: $max, step: $step },
                help: $help,
            }, )*
        ];
    };
}

tunables! {
    /// Stop distance (fraction of entry) when P1 is unavailable.
    fallback_stop_pct: FallbackStopPct = 0.02, "fallback_stop_pct", "fraction", Positive, false,
        HarvestTriggers (0.001, 0.1, 0.001),
        "Stop distance as a fraction of entry, used when P1 gives no stop (or a zero one)";
    /// Round-trip cost estimate in basis points of entry notional.
    cost_bps: CostBps = 10.0, "cost_bps", "bps", NonNegative, false,
        HarvestTriggers (0.0, 100.0, 0.5),
        "Estimated trading cost in basis points of entry notional, subtracted from PnL";
    /// R_net that triggers PARTIAL_25.
    t1_r: T1R = 2.0, "T1_R", "R", Finite, false,
        HarvestTriggers (0.0, 10.0, 0.05),
        "R_net at which the first 25 % tranche is proposed";
    /// R_net that triggers PARTIAL_50.
    t2_r: T2R = 4.0, "T2_R", "R", Finite, false,
        HarvestTriggers (0.0, 15.0, 0.05),
        "R_net at which 50 % is proposed (should exceed T1_R)";
    /// R_net that triggers PARTIAL_75.
    t3_r: T3R = 6.0, "T3_R", "R", Finite, false,
        HarvestTriggers (0.0, 20.0, 0.05),
        "R_net at which 75 % is proposed (should exceed T2_R)";
    /// Tranche-weight logit 1 (audit only).
    u1: U1 = 0.0, "u1", "logit", Finite, false,
        HarvestTriggers (-5.0, 5.0, 0.1),
        "Tranche-weight logit of tranche 1 (audit only)";
    /// Tranche-weight logit 2 (audit only).
    u2: U2 = 0.0, "u2", "logit", Finite, false,
        HarvestTriggers (-5.0, 5.0, 0.1),
        "Tranche-weight logit of tranche 2 (audit only)";
    /// Tranche-weight logit 3 (audit only).
    u3: U3 = 0.0, "u3", "logit", Finite, false,
        HarvestTriggers (-5.0, 5.0, 0.1),
        "Tranche-weight logit of tranche 3 (audit only)";
    /// Softmax temperature for the tranche weights.
    softmax_temp: SoftmaxTemp = 1.0, "softmax_temp", "", Positive, true,
        HarvestTriggers (0.05, 10.0, 0.05),
        "Softmax temperature of the tranche weights";
    /// R_net that triggers the profit lock.
    lock_r: LockR = 1.5, "lock_R", "R", Finite, false,
        ProfitLock (0.0, 10.0, 0.05),
        "R_net at which the stop moves to break-even plus";
    /// Break-even-plus buffer (fraction of entry).
    be_plus_pct: BePlusPct = 0.002, "be_plus_pct", "fraction", NonNegative, false,
        ProfitLock (0.0, 0.02, 0.0005),
        "Buffer beyond entry for the break-even-plus stop";
    /// p_trend below this (with chop + MR > 0.5) is a regime flip.
    trend_min: TrendMin = 0.3, "trend_min", "prob", Finite, false,
        KillScore (0.0, 1.0, 0.01),
        "p_trend below this, with p_chop + p_mr > 0.5, is a regime flip";
    /// Reference volatility for the spike component.
    sigma_ref: SigmaRef = 0.01, "sigma_ref", "σ", Positive, true,
        KillScore (0.001, 0.1, 0.001),
        "Reference volatility: the spike is σ/σ_ref − 1";
    /// Cap of the sigma-spike component.
    sigma_spike_cap: SigmaSpikeCap = 2.0, "sigma_spike_cap", "", NonNegative, false,
        KillScore (0.0, 10.0, 0.1),
        "Largest value of the sigma-spike component";
    /// Reference trend strength for the TS-drop component.
    ts_ref: TsRef = 0.3, "ts_ref", "TS", Finite, false,
        KillScore (0.0, 1.0, 0.01),
        "Reference trend strength: the drop is ts_ref − TS";
    /// Cap of the TS-drop component.
    ts_drop_cap: TsDropCap = 0.5, "ts_drop_cap", "TS", NonNegative, false,
        KillScore (0.0, 2.0, 0.05),
        "Largest value of the TS-drop component";
    /// Age at which the age penalty saturates, seconds.
    max_age_sec: MaxAgeSec = 86400.0, "max_age_sec", "s", Positive, true,
        KillScore (3600.0, 604800.0, 3600.0),
        "Age at which the age penalty reaches 1";
    /// Weight of the regime-flip component in z.
    k_regime_flip: KRegimeFlip = 1.0, "k_regime_flip", "weight", NonNegative, false,
        KillScore (0.0, 5.0, 0.05),
        "Weight of the regime flip in z";
    /// Weight of the sigma-spike component in z.
    k_sigma_spike: KSigmaSpike = 0.5, "k_sigma_spike", "weight", NonNegative, false,
        KillScore (0.0, 5.0, 0.05),
        "Weight of the sigma spike in z";
    /// Weight of the TS-drop component in z.
    k_ts_drop: KTsDrop = 0.5, "k_ts_drop", "weight", NonNegative, false,
        KillScore (0.0, 5.0, 0.05),
        "Weight of the TS drop in z";
    /// Weight of the age-penalty component in z.
    k_age_penalty: KAgePenalty = 0.3, "k_age_penalty", "weight", NonNegative, false,
        KillScore (0.0, 5.0, 0.05),
        "Weight of the age penalty in z";
    /// K at or above which a full close is proposed.
    kill_threshold: KillThreshold = 0.6, "kill_threshold", "K", OpenUnit, false,
        KillScore (0.01, 0.99, 0.005),
        "K at or above which a full close is proposed";
}

impl Default for Theta {
    /// The P2 system's defaults.
    fn default() -> Self {
        Theta::default_const()
    }
}

impl ThetaField {
    /// All the fields, in wire order.
    pub const ALL: [ThetaField; THETA_LEN] = {
        let mut all = [ThetaField::FallbackStopPct; THETA_LEN];
        let mut i = 0;
        while i < THETA_LEN {
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
        self.spec().path
    }

    /// The fields of one group, in wire order.
    pub fn of_group(group: ParamGroup) -> impl Iterator<Item = ThetaField> {
        PARAMS
            .iter()
            .filter(move |p| p.group == group)
            .map(|p| p.field)
    }
}

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
}

impl Theta {
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
        if self.same_bits(&DEFAULT) {
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

/// The defaults ([`Theta::push_warnings`]'s shortcut).
const DEFAULT: Theta = Theta::default_const();

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
        assert!(d.same_bits(&DEFAULT));
        for f in ThetaField::ALL {
            assert_eq!(
                d.get(f).to_bits(),
                PARAMS[f as usize].default.to_bits(),
                "{f:?}"
            );
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
    fn sliders_and_groups_come_from_the_same_rows() {
        let k = ThetaField::KillThreshold.spec().slider;
        assert_eq!((k.min, k.max, k.step), (0.01, 0.99, 0.005));
        assert_eq!(ThetaField::LockR.spec().group, ParamGroup::ProfitLock);
        for p in PARAMS.iter() {
            let r = p.slider;
            assert!(r.min < r.max && r.step > 0.0, "{}", p.key);
        }
        let n: usize = ParamGroup::ALL
            .iter()
            .map(|&g| ThetaField::of_group(g).count())
            .sum();
        assert_eq!(n, PARAMS.len());
        assert_eq!(PARAMS.len(), 22);
    }

    #[test]
    fn defaults_sit_inside_the_sliders_which_hold_only_sensible_values() {
        let d = Theta::default();
        for p in PARAMS.iter() {
            let x = d.get(p.field);
            assert_eq!(x.to_bits(), p.default.to_bits(), "{}", p.key);
            assert!(p.slider.min <= x && x <= p.slider.max, "{}", p.key);
            // Both ends make sense to the kernel: dragging a slider never raises a warning
            // (only the thresholds' order can).
            assert!(p.sensible.allows(p.slider.min), "{}", p.key);
            assert!(p.sensible.allows(p.slider.max), "{}", p.key);
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
