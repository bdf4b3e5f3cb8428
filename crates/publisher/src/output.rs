//! Pure: the published hash `quantum:harvest:proposal:<SYM>` (every field, as text), the stream
//! entry, and the publish decision (publish in full, or only refresh `last_update_epoch`).
//!
//! Numbers are written in Python's `repr(float)` layout (shortest digits that read back to the
//! same double; exponent form below 1e-4 and from 1e16). No crate writes that layout, so
//! [`py_float`] rearranges the shortest digits `core::fmt` finds.

use harvest_features::reviewer::published::{HASH_PREFIX, PUBLISHED_FIELDS, STREAM_KEY};
use harvest_kernel::{HarvestAction, Proposal, KERNEL_VERSION};

use crate::input::parse_finite;

/// The published hash of a symbol.
pub fn proposal_key(symbol: &str) -> String {
    format!("{HASH_PREFIX}{symbol}")
}

/// The stream every full publish is also appended to with `--enable-stream`.
pub const PROPOSAL_STREAM: &str = STREAM_KEY;

/// Approximate cap of [`PROPOSAL_STREAM`] (`XADD … MAXLEN ~ 10000`).
pub const STREAM_MAXLEN: usize = 10_000;

/// The fields of the published hash, in the order they are written (`proposal_json` and
/// `kernel_version` are our additions).
/// (The one list, shared with the reviewer that reads these records.)
pub const FIELDS: [&str; HASH_FIELDS] = PUBLISHED_FIELDS;

/// The number of fields of the hash (the stream entry adds `symbol`).
pub const HASH_FIELDS: usize = 25;

/// The fields the publish decision reads back from the published hash.
pub const DECISION_FIELDS: [&str; 4] = [
    "harvest_action",
    "new_sl_proposed",
    "kill_score",
    "computed_at_utc",
];

/// A double as Python's `repr(float)` writes it: the shortest digits that read back to the same
/// double, `1.0` (not `1`), `1e-05`, `1.5e+16`; `nan`, `inf`, `-inf` for the non-finite.
///
/// ```
/// use harvest_publisher::output::py_float;
/// assert_eq!(py_float(2.0), "2.0");
/// assert_eq!(py_float(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(py_float(1e-5), "1e-05");
/// assert_eq!(py_float(1.5e16), "1.5e+16");
/// assert_eq!(py_float(-0.0001), "-0.0001");
/// ```
pub fn py_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-7", "5e0".
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').expect("{:e} always has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    if (-4..16).contains(&exp) {
        // Fixed notation, always with a fractional part.
        if exp >= 0 {
            let int_len = exp + 1;
            if n <= int_len {
                format!("{sign}{digits}{}.0", "0".repeat((int_len - n) as usize))
            } else {
                let (i, f) = digits.split_at(int_len as usize);
                format!("{sign}{i}.{f}")
            }
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let m = if n == 1 {
            digits
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "None".to_string(), py_float)
}

/// The published hash's fields for a proposal, in the order of [`FIELDS`].
/// `computed_at_utc` is the ISO 8601 time of this computation, `epoch` its integer seconds.
///
/// ```
/// use harvest_kernel::{propose, HarvestInput};
/// use harvest_publisher::output::{hash_fields, HASH_FIELDS};
/// let p = propose(&HarvestInput::default()).unwrap();
/// let f = hash_fields(&p, "2026-01-01T00:00:00.000000+00:00", 1767225600);
/// assert_eq!(f.len(), HASH_FIELDS);
/// assert_eq!(f[1], ("new_sl_proposed", "None".to_string()));
/// ```
pub fn hash_fields(p: &Proposal, computed_at_utc: &str, epoch: i64) -> Vec<(&'static str, String)> {
    let a = &p.audit;
    let reasons: Vec<&str> = p.reason_codes.iter().map(|r| r.as_str()).collect();
    let json = serde_json::to_string(p).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    let v = vec![
        p.harvest_action.as_str().to_string(),
        opt(p.new_sl_proposed),
        py_float(p.r_net),
        py_float(p.risk_unit),
        py_float(p.cost_est),
        py_float(p.kill_score),
        reasons.join(","),
        py_float(a.k_components.regime_flip),
        py_float(a.k_components.sigma_spike),
        py_float(a.k_components.ts_drop),
        py_float(a.k_components.age_penalty),
        py_float(a.market_state.sigma),
        py_float(a.market_state.ts),
        py_float(a.market_state.p_trend),
        py_float(a.market_state.p_mr),
        py_float(a.market_state.p_chop),
        computed_at_utc.to_string(),
        epoch.to_string(),
        a.position.side.as_str().to_string(),
        py_float(a.position.age_sec),
        opt(a.position.current_price),
        py_float(a.position.entry_price),
        py_float(a.position.unrealized_pnl),
        json,
        KERNEL_VERSION.to_string(),
    ];
    FIELDS.iter().copied().zip(v).collect()
}

/// The stream entry: `symbol` then the hash's fields.
pub fn stream_fields(symbol: &str, hash: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut v = Vec::with_capacity(hash.len() + 1);
    v.push(("symbol", symbol.to_string()));
    v.extend(hash.iter().cloned());
    v
}

/// What was last published for a symbol, as read back from its hash ([`DECISION_FIELDS`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Published {
    /// `harvest_action`.
    pub action: HarvestAction,
    /// `new_sl_proposed` (`None` when the literal `None`).
    pub new_sl: Option<f64>,
    /// `kill_score`.
    pub kill_score: f64,
    /// `computed_at_utc` as Unix seconds.
    pub published_epoch: f64,
}

/// Reads [`DECISION_FIELDS`] (in that order) back; `None` when absent or unreadable (the next
/// proposal is then published in full).
///
/// ```
/// use harvest_publisher::output::parse_published;
/// let v = [Some("NONE"), Some("None"), Some("0.25"), Some("2026-01-01T00:00:10+00:00")];
/// let p = parse_published(&v.map(|s| s.map(String::from))).unwrap();
/// assert_eq!((p.new_sl, p.published_epoch), (None, 1767225610.0));
/// ```
pub fn parse_published(values: &[Option<String>; 4]) -> Option<Published> {
    let action = HarvestAction::parse(values[0].as_deref()?)?;
    let new_sl = match values[1].as_deref()? {
        "None" => None,
        t => Some(parse_finite(t)?),
    };
    let kill_score = parse_finite(values[2].as_deref()?)?;
    let at = chrono::DateTime::parse_from_rfc3339(values[3].as_deref()?).ok()?;
    let published_epoch = at.timestamp_micros() as f64 / 1e6;
    Some(Published {
        action,
        new_sl,
        kill_score,
        published_epoch,
    })
}

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
/// use harvest_publisher::output::{decide, Decision, Published, Thresholds};
/// let prev = Published { action: HarvestAction::None, new_sl: Some(100.0), kill_score: 0.3, published_epoch: 0.0 };
/// let t = Thresholds::default();
/// assert_eq!(decide(Some(&prev), HarvestAction::None, Some(100.05), 0.3, 10.0, &t), Decision::Unchanged);
/// assert_eq!(decide(Some(&prev), HarvestAction::None, Some(100.2), 0.3, 10.0, &t), Decision::SlChanged);
/// ```
pub fn decide(
    prev: Option<&Published>,
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
    use harvest_kernel::{propose, HarvestInput};
    use proptest::prelude::*;

    #[test]
    fn py_float_table() {
        // Expected texts are Python 3's repr().
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (123.456, "123.456"),
            (0.5, "0.5"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e-9, "1e-09"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e16, "1.2345e+16"),
            (9007199254740993.0, "9007199254740992.0"),
            (1e308, "1e+308"),
            (5e-324, "5e-324"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-2.5, "-2.5"),
            (2.0 / 3.0, "0.6666666666666666"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (v, want) in cases {
            assert_eq!(py_float(*v), *want, "{v:e}");
        }
    }

    proptest! {
        #[test]
        fn py_float_round_trips(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            let text = py_float(v);
            prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{}", text);
        }
    }

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
    fn hash_has_every_field_parseable() {
        let p = propose(&HarvestInput::default()).unwrap();
        let f = hash_fields(&p, "2026-01-01T00:00:00.000000+00:00", 1767225600);
        let names: Vec<&str> = f.iter().map(|(k, _)| *k).collect();
        assert_eq!(names, FIELDS);
        let get = |k: &str| f.iter().find(|(n, _)| *n == k).unwrap().1.clone();
        for k in [
            "R_net",
            "risk_unit",
            "cost_est",
            "kill_score",
            "k_regime_flip",
            "k_sigma_spike",
            "k_ts_drop",
            "k_age_penalty",
            "sigma",
            "ts",
            "p_trend",
            "p_mr",
            "p_chop",
            "position_age_sec",
            "position_current_price",
            "position_entry_price",
            "position_unrealized_pnl",
        ] {
            assert!(parse_finite(&get(k)).is_some(), "{k} = {}", get(k));
        }
        assert_eq!(get("R_net").parse::<f64>().unwrap(), p.r_net);
        assert_eq!(get("kill_score").parse::<f64>().unwrap(), p.kill_score);
        assert_eq!(get("harvest_action"), "NONE");
        assert_eq!(get("position_side"), "LONG");
        assert_eq!(get("last_update_epoch"), "1767225600");
        let back: Proposal = serde_json::from_str(&get("proposal_json")).unwrap();
        assert_eq!(back, p);
        let s = stream_fields("BTCUSDT", &f);
        assert_eq!(s[0], ("symbol", "BTCUSDT".to_string()));
        assert_eq!(s.len(), HASH_FIELDS + 1);
    }

    #[test]
    fn published_reads_back_what_was_written() {
        let mut input = HarvestInput::default();
        input.position.unrealized_pnl = 5.0;
        let p = propose(&input).unwrap();
        assert!(p.new_sl_proposed.is_some());
        let f = hash_fields(&p, "2026-01-01T00:00:00.250000+00:00", 1767225600);
        let get = |k: &str| Some(f.iter().find(|(n, _)| *n == k).unwrap().1.clone());
        let back = parse_published(&DECISION_FIELDS.map(get)).unwrap();
        assert_eq!(back.action, p.harvest_action);
        assert_eq!(back.new_sl, p.new_sl_proposed);
        assert_eq!(back.kill_score, p.kill_score);
        assert_eq!(back.published_epoch, 1767225600.25);
    }

    #[test]
    fn published_unreadable_is_none() {
        let ok = ["NONE", "None", "0.5", "2026-01-01T00:00:00+00:00"];
        for i in 0..4 {
            let mut v = ok.map(|s| Some(s.to_string()));
            v[i] = None;
            assert_eq!(parse_published(&v), None, "missing {i}");
            v[i] = Some("garbage".into());
            assert_eq!(parse_published(&v), None, "garbage {i}");
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
