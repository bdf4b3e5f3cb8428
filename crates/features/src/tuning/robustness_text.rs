//! The robustness card's sentences: per input axis and for `kill_threshold`, how far it can
//! move before the proposed action changes ([`crate::tuning::robustness`]).

use crate::tuning::{robustness, robustness_along, AxisMargin};
use harvest_kernel::{Axis, HarvestInput, ThetaField};

/// The robustness lines of `input`: per input axis ([`robustness`]) and for `kill_threshold`,
/// the axis label and its sentences ("σ can rise 78.6 % (+0.007859, to 0.01786) before
/// FULL_CLOSE_PROPOSED").
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::robustness_text::robustness_lines;
/// let lines = robustness_lines(&HarvestInput::default());
/// assert_eq!(lines.len(), 6);
/// let sigma = &lines.iter().find(|(l, _)| *l == "σ").unwrap().1;
/// assert!(sigma.iter().any(|s| s == "σ can rise 78.6 % (+0.007859, to 0.01786) before FULL_CLOSE_PROPOSED"));
/// ```
pub fn robustness_lines(input: &HarvestInput) -> Vec<(&'static str, Vec<String>)> {
    let mut all: Vec<AxisMargin> = robustness(input);
    all.push(robustness_along(
        input,
        Axis::Theta(ThetaField::KillThreshold),
    ));
    all.iter()
        .map(|m| (m.axis.label(), m.sentences()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robustness_lines_name_every_axis() {
        let lines = robustness_lines(&HarvestInput::default());
        let labels: Vec<&str> = lines.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            labels,
            ["PnL", "p_trend", "σ", "TS", "age", "kill_threshold"]
        );
        assert!(lines.iter().all(|(_, s)| !s.is_empty()));
    }
}
