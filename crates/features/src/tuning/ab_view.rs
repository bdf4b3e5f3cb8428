//! The A/B comparison as the tuning view lists it: the position sets offered, one changed
//! position per row, the counts in words, and the explorer state that opens a position.
//!
//! Pure and natively tested; the comparison itself is [`crate::tuning::compare_thetas`].

use crate::explorer::UiState;
use crate::format::format_sig;
use crate::format::{fmt_k, fmt_price};
use crate::tuning::{AbReport, Outcome, ThetaChange};
use harvest_kernel::{HarvestInput, Theta};

/// Which positions A and B are compared on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetChoice {
    /// The spec's replay steps ([`scenario_positions`](crate::tuning::scenario_positions)).
    #[default]
    Scenarios,
    /// A grid around the current input ([`grid_positions`](crate::tuning::grid_positions)).
    Grid,
    /// The records loaded in the reviewer.
    Reviewer,
}

impl SetChoice {
    /// Every choice, in menu order.
    pub const ALL: [SetChoice; 3] = [SetChoice::Scenarios, SetChoice::Grid, SetChoice::Reviewer];

    /// Stable key (the `<option>` value).
    pub fn key(self) -> &'static str {
        match self {
            SetChoice::Scenarios => "scenarios",
            SetChoice::Grid => "grid",
            SetChoice::Reviewer => "reviewer",
        }
    }

    /// Parses [`SetChoice::key`].
    ///
    /// ```
    /// use harvest_features::tuning::ab_view::SetChoice;
    /// for c in SetChoice::ALL {
    ///     assert_eq!(SetChoice::from_key(c.key()), Some(c));
    /// }
    /// ```
    pub fn from_key(key: &str) -> Option<SetChoice> {
        SetChoice::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The menu text.
    pub fn label(self) -> &'static str {
        match self {
            SetChoice::Scenarios => "the spec's replay steps (16)",
            SetChoice::Grid => "a grid around the current point (2340)",
            SetChoice::Reviewer => "the reviewer's loaded records",
        }
    }
}

/// One outcome in a few words: `"PARTIAL_25 · SL 100.2 · K 0.503"` (`SL stays` when no stop
/// is proposed).
///
/// ```
/// use harvest_kernel::HarvestAction;
/// use harvest_features::tuning::Outcome;
/// use harvest_features::tuning::ab_view::outcome_text;
/// let o = Outcome { action: HarvestAction::Partial25, new_sl: Some(100.2), kill_score: 0.5034, killed: false, r_net: 2.1 };
/// assert_eq!(outcome_text(&o), "PARTIAL_25 · SL 100.2 · K 0.503");
/// ```
pub fn outcome_text(o: &Outcome) -> String {
    format!(
        "{} · SL {} · K {}",
        o.action,
        o.new_sl.map_or_else(|| "stays".to_string(), fmt_price),
        fmt_k(o.kill_score)
    )
}

/// A differing tunable: `"kill_threshold 0.6 → 0.5"`.
///
/// ```
/// use harvest_features::tuning::ThetaChange;
/// use harvest_features::tuning::ab_view::theta_change_text;
/// let c = ThetaChange { key: "kill_threshold", a: 0.6, b: 0.5 };
/// assert_eq!(theta_change_text(&c), "kill_threshold 0.6 → 0.5");
/// ```
pub fn theta_change_text(c: &ThetaChange) -> String {
    format!("{} {} → {}", c.key, format_sig(c.a, 6), format_sig(c.b, 6))
}

/// One changed position as the A/B list shows it (the whole row is the list's key: a row
/// with the same text is the same row).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AbRow {
    /// Index of the position in the compared set.
    pub index: usize,
    /// The position's label (`"5. σ storm: step 1"`, `"R 2, σ 0.01, …"`, `"file.jsonl:12 BTCUSDT"`).
    pub label: String,
    /// What changed: `"action, new_sl, kill"`.
    pub kinds: String,
    /// Under A ([`outcome_text`]).
    pub a: String,
    /// Under B.
    pub b: String,
}

/// The first `max` changed positions of `report`, labelled from `labels` (the set's labels,
/// same order as the compared inputs; `"#<n>"` when missing).
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::tuning::{compare_thetas, scenario_positions};
/// use harvest_features::tuning::ab_view::ab_rows;
/// let set = scenario_positions();
/// let b = Theta { kill_threshold: 0.55, ..Theta::default() };
/// let r = compare_thetas(&Theta::default(), &b, &set.inputs).unwrap();
/// let rows = ab_rows(&r, &set.labels, 10);
/// assert_eq!(rows.len(), r.counts.changed);
/// assert!(rows[0].kinds.contains("action"));
/// assert!(rows[0].b.starts_with("FULL_CLOSE_PROPOSED"), "{:?}", rows[0]);
/// ```
pub fn ab_rows(report: &AbReport, labels: &[String], max: usize) -> Vec<AbRow> {
    report
        .changes
        .iter()
        .take(max)
        .map(|(i, d)| AbRow {
            index: *i,
            label: labels
                .get(*i)
                .cloned()
                .unwrap_or_else(|| format!("#{}", i + 1)),
            kinds: d.kinds().join(", "),
            a: outcome_text(&d.a),
            b: outcome_text(&d.b),
        })
        .collect()
}

/// The explorer state that shows position `input` under theta `theta` (B), for "open in the
/// explorer".
///
/// ```
/// use harvest_kernel::{scenarios, Theta};
/// use harvest_features::tuning::ab_view::open_state;
/// let input = &scenarios()[5].steps[0].input;
/// let b = Theta { kill_threshold: 0.95, ..Theta::default() };
/// let s = open_state(input, b);
/// assert_eq!(s.theta, b);
/// assert_eq!(s.market.sigma, input.market_state.sigma);
/// ```
pub fn open_state(input: &HarvestInput, theta: Theta) -> UiState {
    let mut i = input.clone();
    i.theta = Some(theta);
    UiState::from_input(&i)
}

/// The A/B results in words, once A is pinned: what the view shows above and in its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbSummary {
    /// The tunables that differ: `"B differs from A in kill_threshold 0.6 → 0.55."`, or that
    /// A and B are the same.
    pub theta_diff: String,
    /// The net sentence ([`AbCounts::net_sentence`](crate::tuning::AbCounts::net_sentence)).
    pub net: String,
    /// How many positions changed.
    pub changed: usize,
    /// The rest of the counts line after the number: `" of 16 positions (spec replay steps):
    /// action 1, stop 0 (0 added, 0 removed), K trigger 1 (1 newly, 0 no longer)."`.
    pub counts: String,
    /// Per action, A → B (`"Actions A → B: NONE 9 → 8 (-1), …"`).
    pub actions: String,
    /// The first changed positions ([`ab_rows`]).
    pub rows: Vec<AbRow>,
    /// `"… and 12 more (the first 100 are listed)."` when more changed than are listed.
    pub more: Option<String>,
}

/// `report` on the set `set_name` in words, listing the first `max` changed positions
/// (labelled from `labels`).
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::tuning::{compare_thetas, scenario_positions};
/// use harvest_features::tuning::ab_view::ab_summary;
/// let set = scenario_positions();
/// let b = Theta { kill_threshold: 0.55, ..Theta::default() };
/// let r = compare_thetas(&Theta::default(), &b, &set.inputs).unwrap();
/// let s = ab_summary(&r, &set.name, &set.labels, 100);
/// assert_eq!(s.theta_diff, "B differs from A in kill_threshold 0.6 → 0.55.");
/// assert_eq!(s.changed, 1);
/// assert!(s.counts.starts_with(" of 16 positions (spec replay steps): action 1,"), "{}", s.counts);
/// assert_eq!(s.rows.len(), 1);
/// assert_eq!(s.net, "B proposes 1 more full close and 1 fewer hold than A.");
/// assert_eq!(s.more, None);
/// ```
pub fn ab_summary(report: &AbReport, set_name: &str, labels: &[String], max: usize) -> AbSummary {
    let c = &report.counts;
    let theta_diff = if report.theta_diff.is_empty() {
        "A and B are the same theta: move a theta slider to edit B.".to_string()
    } else {
        let parts: Vec<String> = report.theta_diff.iter().map(theta_change_text).collect();
        format!("B differs from A in {}.", parts.join(", "))
    };
    let invalid = if c.invalid > 0 {
        format!(
            " {} could not be compared (the kernel rejects their inputs).",
            c.invalid
        )
    } else {
        String::new()
    };
    let rows = ab_rows(report, labels, max);
    let more = (c.changed > rows.len()).then(|| {
        format!(
            "… and {} more (the first {} are listed).",
            c.changed - rows.len(),
            rows.len()
        )
    });
    AbSummary {
        theta_diff,
        net: c.net_sentence(),
        changed: c.changed,
        counts: format!(
            " of {} positions ({set_name}): action {}, stop {} ({} added, {} removed), K trigger {} ({} newly, {} no longer).{invalid}",
            c.positions,
            c.action_changed,
            c.sl_changed,
            c.sl_added,
            c.sl_removed,
            c.kill_changed,
            c.newly_killed,
            c.no_longer_killed,
        ),
        actions: c.summary().get(1).cloned().unwrap_or_default(),
        rows,
        more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tuning::{compare_thetas, grid_positions, GridSpec};

    #[test]
    fn ab_rows_label_every_changed_position() {
        let base = HarvestInput::default();
        let set = grid_positions(&base, &GridSpec::default()).unwrap();
        let b = Theta {
            kill_threshold: 0.5,
            t1_r: 1.5,
            ..Theta::default()
        };
        let r = compare_thetas(&Theta::default(), &b, &set.inputs).unwrap();
        assert!(r.counts.changed > 10);
        let rows = ab_rows(&r, &set.labels, usize::MAX);
        assert_eq!(rows.len(), r.counts.changed);
        for row in &rows {
            assert_eq!(row.label, set.labels[row.index]);
            assert!(!row.kinds.is_empty());
        }
        assert_eq!(ab_rows(&r, &[], 3).len(), 3);
        assert!(ab_rows(&r, &[], 3)[0].label.starts_with('#'));
        let s = open_state(&set.inputs[rows[0].index], b);
        assert_eq!(s.to_input().evaluate().action, r.changes[0].1.b.action);
    }

    #[test]
    fn ab_summary_lists_the_first_rows_and_counts_the_rest() {
        let set = grid_positions(&HarvestInput::default(), &GridSpec::default()).unwrap();
        let b = Theta {
            kill_threshold: 0.5,
            ..Theta::default()
        };
        let r = compare_thetas(&Theta::default(), &b, &set.inputs).unwrap();
        let s = ab_summary(&r, "grid <1>", &set.labels, 5);
        assert_eq!(s.rows.len(), 5);
        assert_eq!(s.changed, r.counts.changed);
        assert!(
            s.counts.contains(" positions (grid <1>): action "),
            "{}",
            s.counts
        );
        assert_eq!(
            s.more.as_deref(),
            Some(
                format!(
                    "… and {} more (the first 5 are listed).",
                    r.counts.changed - 5
                )
                .as_str()
            )
        );
        assert!(s.actions.starts_with("Actions A → B: "), "{}", s.actions);
        // Every row differs from the others: the list's keys are unique.
        let keys: std::collections::HashSet<&AbRow> = s.rows.iter().collect();
        assert_eq!(keys.len(), 5);
        let same = compare_thetas(&b, &b, &set.inputs).unwrap();
        let s = ab_summary(&same, "grid", &set.labels, 100);
        assert!(s.theta_diff.contains("same theta") && s.rows.is_empty() && s.more.is_none());
        assert!(
            s.net.contains("same action as A for every position"),
            "{}",
            s.net
        );
    }

    #[test]
    fn set_labels_give_the_true_sizes() {
        use crate::tuning::scenario_positions;
        let n = scenario_positions().len().to_string();
        assert!(SetChoice::Scenarios.label().contains(&format!("({n})")));
        let n = GridSpec::default().len().to_string();
        assert!(SetChoice::Grid.label().contains(&format!("({n})")));
    }
}
