//! The publish rule: a proposal is written in full when it changed meaningfully or aged, or when
//! its hash lacks a field a full publish writes; otherwise only `last_update_epoch` is refreshed
//! (what was last published is read back from Redis, so a restart of either side, or a hash that
//! lost fields, republishes exactly what is missing on the next cycle).

use harvest_kernel::HarvestAction;
use harvest_records::published::LastPublished;

/// Publish thresholds (`--change-eps-pct`, `--max-publish-age`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Relative SL move, and absolute K move, that counts as a change (default 0.001).
    pub change_eps_pct: f64,
    /// Seconds after which an unchanged proposal is published again in full (default 60).
    pub max_publish_age_sec: f64,
}

impl Default for Thresholds {
    /// The running system's defaults: 0.001 and 60 s.
    fn default() -> Self {
        Thresholds {
            change_eps_pct: 0.001,
            max_publish_age_sec: 60.0,
        }
    }
}

/// Why a proposal is published in full, or that only `last_update_epoch` is refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Nothing (readable) was published before.
    First,
    /// `harvest_action` changed.
    ActionChanged,
    /// The proposed SL appeared, disappeared or moved by more than `change_eps_pct` (relative).
    SlChanged,
    /// K moved by more than `change_eps_pct` (absolute: K is already a fraction).
    KillScoreChanged,
    /// `max_publish_age` seconds passed since the last full publish.
    Aged,
    /// The hash lacks fields a full publish writes (deleted by hand or by a partial write):
    /// written in full again (the running publisher waits for `max_publish_age`).
    Incomplete,
    /// Nothing changed: only `last_update_epoch` is refreshed.
    Unchanged,
}

impl Decision {
    /// Whether the proposal is written in full.
    pub fn publishes(self) -> bool {
        self != Decision::Unchanged
    }
}

/// The publish rule: publish when the action changed, the SL appeared/disappeared or moved by
/// more than `change_eps_pct · |old SL|`, `|ΔK| > change_eps_pct`, or `now − published ≥
/// max_publish_age`; otherwise only refresh.
///
/// ```
/// use harvest_kernel::HarvestAction;
/// use harvest_publisher::p25::rule::{decide, Decision, Thresholds};
/// use harvest_records::published::LastPublished as Published;
/// let prev = Published { action: HarvestAction::None, new_sl: Some(100.0), kill_score: 0.3, published_epoch: 0.0 };
/// let t = Thresholds::default();
/// assert_eq!(decide(Some(&prev), HarvestAction::None, Some(100.05), 0.3, 10.0, &t), Decision::Unchanged);
/// assert_eq!(decide(Some(&prev), HarvestAction::None, Some(100.2), 0.3, 10.0, &t), Decision::SlChanged);
/// ```
pub fn decide(
    prev: Option<&LastPublished>,
    action: HarvestAction,
    new_sl: Option<f64>,
    kill_score: f64,
    now_epoch: f64,
    t: &Thresholds,
) -> Decision {
    let Some(prev) = prev else {
        return Decision::First;
    };
    if prev.action != action {
        return Decision::ActionChanged;
    }
    let sl_changed = match (prev.new_sl, new_sl) {
        (None, None) => false,
        (Some(a), Some(b)) => (b - a).abs() > t.change_eps_pct * a.abs(),
        _ => true,
    };
    if sl_changed {
        return Decision::SlChanged;
    }
    if (kill_score - prev.kill_score).abs() > t.change_eps_pct {
        return Decision::KillScoreChanged;
    }
    if now_epoch - prev.published_epoch >= t.max_publish_age_sec {
        return Decision::Aged;
    }
    Decision::Unchanged
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    type Published = LastPublished;

    fn action() -> impl Strategy<Value = HarvestAction> {
        (0..HarvestAction::ALL.len()).prop_map(|i| HarvestAction::ALL[i])
    }

    proptest! {
        /// Unchanged exactly when nothing the rule watches moved beyond its threshold.
        #[test]
        fn unchanged_iff_within_thresholds(
            a0 in action(), a1 in action(),
            sl0 in proptest::option::of(1.0f64..1000.0), sl1 in proptest::option::of(1.0f64..1000.0),
            k0 in 0.0f64..1.0, k1 in 0.0f64..1.0,
            age in 0.0f64..120.0, eps in 0.0f64..0.01,
        ) {
            let t = Thresholds { change_eps_pct: eps, max_publish_age_sec: 60.0 };
            let prev = Published { action: a0, new_sl: sl0, kill_score: k0, published_epoch: 1000.0 };
            let d = decide(Some(&prev), a1, sl1, k1, 1000.0 + age, &t);
            let sl_same = match (sl0, sl1) {
                (None, None) => true,
                (Some(a), Some(b)) => (b - a).abs() <= eps * a.abs(),
                _ => false,
            };
            let same = a0 == a1 && sl_same && (k1 - k0).abs() <= eps && age < 60.0;
            prop_assert_eq!(d == Decision::Unchanged, same);
            prop_assert_eq!(decide(None, a1, sl1, k1, 0.0, &t), Decision::First);
        }
    }

    #[test]
    fn decision_table() {
        use HarvestAction::{Partial25, Partial50};
        let t = Thresholds::default();
        let prev = Published {
            action: Partial25,
            new_sl: Some(100.0),
            kill_score: 0.40,
            published_epoch: 1000.0,
        };
        let no_sl = Published {
            new_sl: None,
            ..prev
        };
        type Case = (
            Option<Published>,
            HarvestAction,
            Option<f64>,
            f64,
            f64,
            Decision,
        );
        let cases: &[Case] = &[
            (None, Partial25, Some(100.0), 0.4, 1001.0, Decision::First),
            (
                Some(prev),
                Partial25,
                Some(100.0),
                0.4,
                1010.0,
                Decision::Unchanged,
            ),
            (
                Some(prev),
                Partial50,
                Some(100.0),
                0.4,
                1010.0,
                Decision::ActionChanged,
            ),
            (
                Some(prev),
                Partial25,
                Some(100.1),
                0.4,
                1010.0,
                Decision::Unchanged,
            ),
            (
                Some(prev),
                Partial25,
                Some(100.11),
                0.4,
                1010.0,
                Decision::SlChanged,
            ),
            (
                Some(prev),
                Partial25,
                Some(99.89),
                0.4,
                1010.0,
                Decision::SlChanged,
            ),
            (
                Some(prev),
                Partial25,
                None,
                0.4,
                1010.0,
                Decision::SlChanged,
            ),
            (
                Some(no_sl),
                Partial25,
                Some(100.0),
                0.4,
                1010.0,
                Decision::SlChanged,
            ),
            (
                Some(no_sl),
                Partial25,
                None,
                0.4,
                1010.0,
                Decision::Unchanged,
            ),
            (
                Some(prev),
                Partial25,
                Some(100.0),
                0.4009,
                1010.0,
                Decision::Unchanged,
            ),
            (
                Some(prev),
                Partial25,
                Some(100.0),
                0.4015,
                1010.0,
                Decision::KillScoreChanged,
            ),
            (
                Some(prev),
                Partial25,
                Some(100.0),
                0.3985,
                1010.0,
                Decision::KillScoreChanged,
            ),
            (
                Some(prev),
                Partial25,
                Some(100.0),
                0.4,
                1059.9,
                Decision::Unchanged,
            ),
            (
                Some(prev),
                Partial25,
                Some(100.0),
                0.4,
                1060.0,
                Decision::Aged,
            ),
        ];
        for (prev, action, sl, k, now, want) in cases {
            let got = decide(prev.as_ref(), *action, *sl, *k, *now, &t);
            assert_eq!(got, *want, "{prev:?} {action} {sl:?} {k} {now}");
            assert_eq!(got.publishes(), *want != Decision::Unchanged);
        }
    }
}
