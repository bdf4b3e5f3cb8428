//! Robustness: per input axis (and for `kill_threshold`) how far the value can move before the
//! proposed action changes ([`robustness`], [`robustness_along`]), and the robustness card's
//! rows ([`robustness_rows`]: a bar and sentences per input; [`robustness_lines`]: the sentences).

use serde::Serialize;

use crate::format::format_sig;
use harvest_kernel::{
    flip_within, Axis, Direction, FlipPoint, HarvestAction, HarvestInput, ThetaField,
};

/// How far the current point is from the nearest action change along one axis, both ways.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AxisMargin {
    /// The axis.
    pub axis: Axis,
    /// The current value.
    pub current: f64,
    /// The explored range ([`Axis::domain`]).
    pub domain: (f64, f64),
    /// The action now.
    pub action: HarvestAction,
    /// The nearest change below the current value, if any within the domain.
    pub down: Option<FlipPoint>,
    /// The nearest change above the current value, if any within the domain.
    pub up: Option<FlipPoint>,
}

impl AxisMargin {
    /// The nearer of the two flips (by distance: both are in this axis's units).
    pub fn nearest(&self) -> Option<&FlipPoint> {
        match (&self.down, &self.up) {
            (Some(d), Some(u)) => Some(if d.distance().abs() <= u.distance().abs() {
                d
            } else {
                u
            }),
            (d, u) => d.as_ref().or(u.as_ref()),
        }
    }

    /// One sentence per direction, down first (see [`margin_sentence`]; a direction without a
    /// flip says the action holds to the end of the domain).
    ///
    /// ```
    /// use harvest_kernel::{Axis, HarvestInput};
    /// use harvest_features::tuning::robustness_along;
    /// let s = robustness_along(&HarvestInput::default(), Axis::PTrend).sentences();
    /// assert!(s[0].starts_with("p_trend can fall "), "{s:?}");
    /// ```
    pub fn sentences(&self) -> Vec<String> {
        [
            (Direction::Down, &self.down, self.domain.0),
            (Direction::Up, &self.up, self.domain.1),
        ]
        .into_iter()
        .filter(|(_, _, end)| *end != self.current)
        .map(|(dir, flip, end)| match flip {
            Some(f) => margin_sentence(f),
            None => format!(
                "{} can {} to {} (the end of its range) and the action stays {}",
                self.axis.label(),
                verb(dir),
                with_unit(self.axis, end),
                self.action
            ),
        })
        .collect()
    }
}

/// Where an input's action holds, along its explored range, as fractions of it (0 the range's
/// start, 1 its end): what the robustness card draws as a bar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MarginBar {
    /// Where the action now starts holding (the nearest change below, else the range's start).
    pub from: f64,
    /// Where it stops (the nearest change above, else the range's end).
    pub to: f64,
    /// The current value.
    pub at: f64,
}

impl AxisMargin {
    /// The bar of this margin ([`MarginBar`]), clamped to 0 … 1.
    ///
    /// ```
    /// use harvest_kernel::{Axis, HarvestInput};
    /// use harvest_features::tuning::robustness_along;
    /// let b = robustness_along(&HarvestInput::default(), Axis::Sigma).bar();
    /// assert!(b.from <= b.at && b.at < b.to && b.to < 1.0); // σ can rise until K closes
    /// ```
    pub fn bar(&self) -> MarginBar {
        let (d0, d1) = self.domain;
        let span = d1 - d0;
        let f = |v: f64| {
            if span > 0.0 && span.is_finite() {
                ((v - d0) / span).clamp(0.0, 1.0)
            } else {
                0.5
            }
        };
        MarginBar {
            from: self.down.as_ref().map_or(0.0, |p| f(p.value)),
            to: self.up.as_ref().map_or(1.0, |p| f(p.value)),
            at: f(self.current),
        }
    }
}

fn verb(d: Direction) -> &'static str {
    match d {
        Direction::Up => "rise",
        Direction::Down => "fall",
    }
}

/// The unit shown after values of `axis`: only where the label does not already say it.
fn with_unit(axis: Axis, v: f64) -> String {
    let unit = match axis {
        Axis::Pnl => " quote",
        Axis::AgeSec => " s",
        Axis::Theta(f) => match f.spec().unit {
            "s" => " s",
            "R" => " R",
            "bps" => " bps",
            _ => "",
        },
        _ => "",
    };
    format!("{}{unit}", format_sig(v, 4))
}

/// A flip as a margin, e.g. `"σ can rise 78.6 % (+0.007859, to 0.01786) before
/// FULL_CLOSE_PROPOSED"`; when the current value is 0 (no percentage), `"PnL can rise 4.1 quote
/// (to 4.1 quote) before PARTIAL_25"`.
///
/// ```
/// use harvest_kernel::{flip_along, Axis, Direction, HarvestInput};
/// use harvest_features::tuning::margin_sentence;
/// let f = flip_along(&HarvestInput::default(), Axis::Sigma, Direction::Up).unwrap();
/// let s = margin_sentence(&f);
/// assert_eq!(s, "σ can rise 78.6 % (+0.007859, to 0.01786) before FULL_CLOSE_PROPOSED");
/// assert!(s.ends_with("before FULL_CLOSE_PROPOSED"));
/// ```
pub fn margin_sentence(f: &FlipPoint) -> String {
    let d = f.distance();
    let sign = if d >= 0.0 { "+" } else { "−" };
    match f.relative_pct() {
        Some(pct) => format!(
            "{} can {} {} % ({sign}{}, to {}) before {}",
            f.axis.label(),
            verb(f.direction),
            format_sig(pct.abs(), 3),
            with_unit(f.axis, d.abs()),
            with_unit(f.axis, f.value),
            f.to
        ),
        None => format!(
            "{} can {} {} (to {}) before {}",
            f.axis.label(),
            verb(f.direction),
            with_unit(f.axis, d.abs()),
            with_unit(f.axis, f.value),
            f.to
        ),
    }
}

/// The margins along one axis ([`flip_within`] both ways, inside [`Axis::domain`]).
///
/// ```
/// use harvest_kernel::{Axis, HarvestAction, HarvestInput};
/// use harvest_features::tuning::robustness_along;
/// let m = robustness_along(&HarvestInput::default(), Axis::Pnl);
/// assert_eq!(m.up.unwrap().to, HarvestAction::Partial25);
/// assert_eq!(m.nearest().unwrap().to, HarvestAction::Partial25);
/// ```
pub fn robustness_along(input: &HarvestInput, axis: Axis) -> AxisMargin {
    let domain = axis.domain(input);
    AxisMargin {
        axis,
        current: axis.get(input),
        domain,
        action: input.evaluate().action,
        down: flip_within(input, axis, Direction::Down, domain),
        up: flip_within(input, axis, Direction::Up, domain),
    }
}

/// The margins along the five explained inputs ([`Axis::INPUTS`]: PnL, p_trend, σ, TS, age).
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::robustness;
/// let all = robustness(&HarvestInput::default());
/// assert_eq!(all.len(), 5);
/// assert!(all.iter().flat_map(|m| m.sentences()).any(|s| s.contains("σ can rise")));
/// ```
pub fn robustness(input: &HarvestInput) -> Vec<AxisMargin> {
    Axis::INPUTS
        .into_iter()
        .map(|a| robustness_along(input, a))
        .collect()
}

/// The margins along every tunable: how far each theta value can move before this position's
/// action changes ("kill_threshold can fall 16.1 % … before FULL_CLOSE_PROPOSED").
///
/// ```
/// use harvest_kernel::{Axis, HarvestInput, ThetaField};
/// use harvest_features::tuning::theta_robustness;
/// let all = theta_robustness(&HarvestInput::default());
/// let kt = all.iter().find(|m| m.axis == Axis::Theta(ThetaField::KillThreshold)).unwrap();
/// assert!(kt.sentences()[0].starts_with("kill_threshold can fall 16.1 %"));
/// ```
pub fn theta_robustness(input: &HarvestInput) -> Vec<AxisMargin> {
    ThetaField::ALL
        .into_iter()
        .map(|f| robustness_along(input, Axis::Theta(f)))
        .collect()
}

/// The robustness lines of `input`: per input axis ([`robustness`]) and for `kill_threshold`,
/// the axis label and its sentences ("σ can rise 78.6 % (+0.007859, to 0.01786) before
/// FULL_CLOSE_PROPOSED").
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::robustness_lines;
/// let lines = robustness_lines(&HarvestInput::default());
/// assert_eq!(lines.len(), 6);
/// let sigma = &lines.iter().find(|(l, _)| *l == "σ").unwrap().1;
/// assert!(sigma.iter().any(|s| s == "σ can rise 78.6 % (+0.007859, to 0.01786) before FULL_CLOSE_PROPOSED"));
/// ```
pub fn robustness_lines(input: &HarvestInput) -> Vec<(&'static str, Vec<String>)> {
    robustness_rows(input)
        .into_iter()
        .map(|r| (r.label, r.sentences))
        .collect()
}

/// One row of the robustness card: the input, its bar and its sentences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustRow {
    /// The input's label (`PnL`, `σ`, …, `kill_threshold`).
    pub label: &'static str,
    /// Where the action holds along its range.
    pub bar: MarginBar,
    /// One sentence per direction ([`AxisMargin::sentences`]).
    pub sentences: Vec<String>,
}

/// The robustness card's rows: every input of the explorer and `kill_threshold`, in that order.
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::tuning::robustness_rows;
/// let rows = robustness_rows(&HarvestInput::default());
/// assert_eq!(rows.last().unwrap().label, "kill_threshold");
/// ```
pub fn robustness_rows(input: &HarvestInput) -> Vec<RobustRow> {
    let mut all: Vec<AxisMargin> = robustness(input);
    all.push(robustness_along(
        input,
        Axis::Theta(ThetaField::KillThreshold),
    ));
    all.iter()
        .map(|m| RobustRow {
            label: m.axis.label(),
            bar: m.bar(),
            sentences: m.sentences(),
        })
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

    #[test]
    fn bars_mark_where_the_action_holds() {
        let input = HarvestInput::default();
        for row in robustness_rows(&input) {
            let b = row.bar;
            assert!(
                0.0 <= b.from && b.from <= b.at && b.at <= b.to && b.to <= 1.0,
                "{}: {b:?}",
                row.label
            );
        }
        // PnL: a loss keeps NONE to the range's start; a gain reaches PARTIAL_25 inside it.
        let pnl = robustness_along(&input, Axis::Pnl).bar();
        assert_eq!(pnl.from, 0.0);
        assert!(pnl.to < 1.0);
        // A range of one value: the middle.
        let m = AxisMargin {
            domain: (1.0, 1.0),
            current: 1.0,
            down: None,
            up: None,
            ..robustness_along(&input, Axis::Pnl)
        };
        assert_eq!(m.bar().at, 0.5);
    }
}
