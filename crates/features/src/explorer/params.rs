//! How the dashboard shows each tunable: the group it sits in and its slider range, one table
//! keyed by the kernel's [`ThetaField`]. The kernel's own table ([`harvest_kernel::PARAMS`]:
//! key, unit, what it refuses and warns about, help) stays in the kernel; this is UI data.
//!
//! ```
//! use harvest_features::explorer::params::{theta_range, ParamGroup, THETA_VIEW};
//! use harvest_kernel::ThetaField;
//! let r = theta_range(ThetaField::KillThreshold);
//! assert_eq!((r.min, r.max, r.step), (0.01, 0.99, 0.005));
//! assert_eq!(THETA_VIEW[ThetaField::LockR as usize].group, ParamGroup::ProfitLock);
//! ```

use harvest_kernel::{Axis, HarvestInput, ThetaField};

use super::inputs::SliderRange;

/// Where a tunable sits in the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

    /// Heading shown in the dashboard.
    pub fn title(self) -> &'static str {
        match self {
            ParamGroup::HarvestTriggers => "Harvest triggers",
            ParamGroup::ProfitLock => "Profit lock",
            ParamGroup::KillScore => "Kill score",
        }
    }
}

/// How one tunable is shown: its group and slider.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThetaView {
    /// Which tunable.
    pub field: ThetaField,
    /// Dashboard group.
    pub group: ParamGroup,
    /// Slider range and step (the kernel computes with any finite value; the number box takes
    /// values outside the slider).
    pub range: SliderRange,
}

macro_rules! theta_view {
    ($( $field:ident, $group:ident, $min:expr, $max:expr, $step:expr; )*) => {
        /// The table, in the kernel's wire order; index with `ThetaField as usize`.
        pub const THETA_VIEW: [ThetaView; 22] = [
            $( ThetaView {
                field: ThetaField::$field,
                group: ParamGroup::$group,
                range: SliderRange { min: $min, max: $max, step: $step },
            }, )*
        ];
    };
}

theta_view! {
    FallbackStopPct, HarvestTriggers, 0.001, 0.1, 0.001;
    CostBps, HarvestTriggers, 0.0, 100.0, 0.5;
    T1R, HarvestTriggers, 0.0, 10.0, 0.05;
    T2R, HarvestTriggers, 0.0, 15.0, 0.05;
    T3R, HarvestTriggers, 0.0, 20.0, 0.05;
    U1, HarvestTriggers, -5.0, 5.0, 0.1;
    U2, HarvestTriggers, -5.0, 5.0, 0.1;
    U3, HarvestTriggers, -5.0, 5.0, 0.1;
    SoftmaxTemp, HarvestTriggers, 0.05, 10.0, 0.05;
    LockR, ProfitLock, 0.0, 10.0, 0.05;
    BePlusPct, ProfitLock, 0.0, 0.02, 0.0005;
    TrendMin, KillScore, 0.0, 1.0, 0.01;
    SigmaRef, KillScore, 0.001, 0.1, 0.001;
    SigmaSpikeCap, KillScore, 0.0, 10.0, 0.1;
    TsRef, KillScore, 0.0, 1.0, 0.01;
    TsDropCap, KillScore, 0.0, 2.0, 0.05;
    MaxAgeSec, KillScore, 3600.0, 604800.0, 3600.0;
    KRegimeFlip, KillScore, 0.0, 5.0, 0.05;
    KSigmaSpike, KillScore, 0.0, 5.0, 0.05;
    KTsDrop, KillScore, 0.0, 5.0, 0.05;
    KAgePenalty, KillScore, 0.0, 5.0, 0.05;
    KillThreshold, KillScore, 0.01, 0.99, 0.005;
}

/// The slider range of one tunable.
pub fn theta_range(field: ThetaField) -> SliderRange {
    THETA_VIEW[field as usize].range
}

/// The tunables of one group, in wire order.
pub fn theta_fields(group: ParamGroup) -> impl Iterator<Item = ThetaField> {
    THETA_VIEW
        .iter()
        .filter(move |v| v.group == group)
        .map(|v| v.field)
}

/// The range worth exploring along `axis` for charts, sweeps and margins: the kernel's
/// [`Axis::input_domain`] for the five inputs, the slider range for a tunable; either widened to
/// hold the current value.
///
/// ```
/// use harvest_features::explorer::params::domain;
/// use harvest_kernel::{Axis, HarvestInput, Theta, ThetaField};
/// let mut input = HarvestInput::default();
/// assert_eq!(domain(Axis::Theta(ThetaField::T1R), &input), (0.0, 10.0));
/// input.theta = Some(Theta { t1_r: 12.0, ..Theta::default() }); // beyond the slider
/// assert_eq!(domain(Axis::Theta(ThetaField::T1R), &input), (0.0, 12.0));
/// assert_eq!(domain(Axis::PTrend, &input), (0.0, 1.0));
/// ```
pub fn domain(axis: Axis, input: &HarvestInput) -> (f64, f64) {
    match axis {
        Axis::Theta(f) => {
            let r = theta_range(f);
            axis.widen((r.min, r.max), input)
        }
        _ => axis.input_domain(input).unwrap_or((0.0, 1.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::{Theta, PARAMS};

    #[test]
    fn table_follows_the_kernels_wire_order() {
        assert_eq!(THETA_VIEW.len(), PARAMS.len());
        for (i, v) in THETA_VIEW.iter().enumerate() {
            assert_eq!(v.field as usize, i);
            assert_eq!(v.field, PARAMS[i].field);
            let r = v.range;
            assert!(r.min < r.max && r.step > 0.0, "{}", v.field.key());
        }
        let n: usize = ParamGroup::ALL
            .iter()
            .map(|&g| theta_fields(g).count())
            .sum();
        assert_eq!(n, 22);
    }

    #[test]
    fn defaults_sit_inside_the_sliders_which_hold_only_sensible_values() {
        let d = Theta::default();
        for v in THETA_VIEW.iter() {
            let x = d.get(v.field);
            assert!(v.range.min <= x && x <= v.range.max, "{}", v.field.key());
            // Both ends make sense to the kernel: dragging a slider never raises a warning
            // (only the thresholds' order can).
            let spec = v.field.spec();
            assert!(spec.sensible.allows(v.range.min), "{}", spec.key);
            assert!(spec.sensible.allows(v.range.max), "{}", spec.key);
        }
    }

    #[test]
    fn domains_hold_the_current_value() {
        let input = HarvestInput {
            theta: Some(Theta {
                kill_threshold: 1.5,
                ..Theta::default()
            }),
            ..HarvestInput::default()
        };
        assert_eq!(
            domain(Axis::Theta(ThetaField::KillThreshold), &input),
            (0.01, 1.5)
        );
        assert_eq!(
            Some(domain(Axis::Sigma, &input)),
            Axis::Sigma.input_domain(&input)
        );
    }
}
