//! The result in one line, which the explorer and the tuning view keep in view on a narrow
//! screen while the inputs scroll: the action, R_net, K against its threshold and the stop.
//!
//! Pure and natively tested; the numbers are the kernel's proposal, formatted as the explorer's
//! summary card formats them (so the line and the card always agree).

use crate::format::{fixed_or_dash, fmt_num};
use harvest_kernel::{HarvestAction, HarvestInput, Proposal};

/// The compact result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    /// The proposed action.
    pub action: HarvestAction,
    /// R_net, 3 decimals (`"1.450"`).
    pub r_net: String,
    /// The kill score K, 3 decimals (`"0.503"`).
    pub k: String,
    /// Whether K is at or above the threshold (a full close is proposed).
    pub over: bool,
    /// `"< 0.6"` or `"≥ 0.6"`: K against `theta.kill_threshold`.
    pub against: String,
    /// `"SL → 100.2"` when the profit lock proposes a stop, else `"SL stays"`.
    pub stop: String,
}

impl Headline {
    /// The line for `proposal`, computed from `input` (whose theta gives the threshold; the
    /// default theta when it has none).
    ///
    /// ```
    /// use harvest_kernel::{propose, HarvestAction, HarvestInput};
    /// use harvest_features::tuning::headline::Headline;
    /// let mut input = HarvestInput::default();
    /// input.position.unrealized_pnl = 4.0;
    /// let h = Headline::of(&input, &propose(&input).unwrap());
    /// assert_eq!(h.action, HarvestAction::None);
    /// assert_eq!((h.r_net.as_str(), h.k.as_str(), h.against.as_str()), ("1.950", "0.503", "< 0.6"));
    /// assert_eq!(h.stop, "SL → 100.2");
    /// assert!(!h.over);
    /// ```
    pub fn of(input: &HarvestInput, proposal: &Proposal) -> Headline {
        Self::build(input, proposal)
    }

    /// The line as the page shows it, on two lines of their own (a fixed height while the
    /// numbers change): `"PARTIAL_25 · R_net 2.450\nK 0.503 < 0.6 · SL → 100.2"`.
    ///
    /// ```
    /// use harvest_kernel::{propose, HarvestInput};
    /// use harvest_features::tuning::headline::Headline;
    /// let input = HarvestInput::default();
    /// let h = Headline::of(&input, &propose(&input).unwrap());
    /// assert_eq!(h.text(), "NONE · R_net -0.050\nK 0.503 < 0.6 · SL stays");
    /// ```
    pub fn text(&self) -> String {
        format!(
            "{} · R_net {}\nK {} {} · {}",
            self.action, self.r_net, self.k, self.against, self.stop
        )
    }

    fn build(input: &HarvestInput, proposal: &Proposal) -> Headline {
        let threshold = input.theta.unwrap_or_default().kill_threshold;
        let over = proposal.kill_score >= threshold;
        Headline {
            action: proposal.harvest_action,
            r_net: fixed_or_dash(proposal.r_net, 3),
            k: fixed_or_dash(proposal.kill_score, 3),
            over,
            against: format!("{} {}", if over { "≥" } else { "<" }, fmt_num(threshold)),
            stop: match proposal.new_sl_proposed {
                Some(sl) => format!("SL → {}", fmt_num(sl)),
                None => "SL stays".to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::{propose, scenarios, Theta};

    #[test]
    fn the_line_agrees_with_the_kernel_on_every_replay_step() {
        for s in scenarios() {
            for step in &s.steps {
                let p = propose(&step.input).unwrap();
                let h = Headline::of(&step.input, &p);
                assert_eq!(h.action, p.harvest_action);
                let thr = step.input.theta.unwrap_or_default().kill_threshold;
                assert_eq!(h.over, p.kill_score >= thr);
                assert_eq!(h.over, h.against.starts_with('≥'), "{h:?}");
                assert_eq!(h.over, p.harvest_action == HarvestAction::FullCloseProposed);
                assert_eq!(h.stop.starts_with("SL → "), p.new_sl_proposed.is_some());
                let r: f64 = h.r_net.parse().unwrap();
                assert!((r - p.r_net).abs() <= 5e-4, "{} vs {}", h.r_net, p.r_net);
                // Always two lines, the action first.
                let text = h.text();
                assert_eq!(text.lines().count(), 2, "{text}");
                assert!(text.starts_with(p.harvest_action.as_str()));
            }
        }
    }

    #[test]
    fn the_threshold_is_the_inputs_own() {
        let input = HarvestInput {
            theta: Some(Theta {
                kill_threshold: 0.45,
                ..Theta::default()
            }),
            ..HarvestInput::default()
        };
        let h = Headline::of(&input, &propose(&input).unwrap());
        assert_eq!(h.against, "≥ 0.45");
        assert!(h.over);
        assert_eq!(h.action, HarvestAction::FullCloseProposed);
    }
}
