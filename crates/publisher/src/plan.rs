//! Pure: the publisher's settings (symbols, shard, position source, thresholds) and what one
//! symbol's reads turn into in a cycle (publish, refresh, no position, skipped).

use harvest_kernel::{propose, HarvestInput, KernelError, Theta};

use crate::input::{self, Fields, InputError};
use crate::output::{self, decide, Decision, Published, Thresholds};

pub use crate::runtime::schedule::next_start;
pub use crate::runtime::settings::{symbols, ConfigError, Shard};

/// Where positions come from (`--position-source` / `POSITION_SOURCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSource {
    /// The hash `quantum:state:positions:<SYM>`, then the latest entry of the execution stream.
    Auto,
    /// Only the hashes `quantum:state:positions:<SYM>`.
    RedisHash,
    /// Only the latest entry per symbol of `quantum:stream:execution`.
    RedisStream,
}

impl std::str::FromStr for PositionSource {
    type Err = ConfigError;

    /// `auto`, `redis_hash` (also `hash`), `redis_stream` (also `stream`), case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(PositionSource::Auto),
            "redis_hash" | "hash" => Ok(PositionSource::RedisHash),
            "redis_stream" | "stream" => Ok(PositionSource::RedisStream),
            "synthetic" => Err(ConfigError::Synthetic),
            other => Err(ConfigError::UnknownSource(other.to_string())),
        }
    }
}

impl PositionSource {
    /// Whether the position hashes are read.
    pub fn reads_hashes(self) -> bool {
        self != PositionSource::RedisStream
    }

    /// Whether the execution stream is read.
    pub fn reads_stream(self) -> bool {
        self != PositionSource::RedisHash
    }
}

/// What the kernel computes from: theta with `--fallback-stop-pct`, and the publish thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Theta (the defaults, `fallback_stop_pct` from the flag).
    pub theta: Theta,
    /// Publish thresholds.
    pub thresholds: Thresholds,
}

impl Default for Rules {
    /// The running system's defaults: default theta (fallback stop 0.02), 0.001, 60 s.
    fn default() -> Self {
        Rules {
            theta: Theta::default(),
            thresholds: Thresholds::default(),
        }
    }
}

impl Rules {
    /// The rules of the flags.
    ///
    /// # Errors
    /// [`ConfigError::Number`] unless `0 < fallback_stop_pct < 1`, `change_eps_pct ≥ 0` and
    /// `max_publish_age_sec ≥ 0` (all finite).
    ///
    /// ```
    /// use harvest_publisher::plan::Rules;
    /// assert!(Rules::new(0.02, 0.001, 60.0).is_ok());
    /// assert!(Rules::new(0.0, 0.001, 60.0).is_err());
    /// ```
    pub fn new(
        fallback_stop_pct: f64,
        change_eps_pct: f64,
        max_publish_age_sec: f64,
    ) -> Result<Rules, ConfigError> {
        let check = |name, value: f64, ok: bool, expected| {
            if ok && value.is_finite() {
                Ok(())
            } else {
                Err(ConfigError::Number {
                    name,
                    value,
                    expected,
                })
            }
        };
        check(
            "fallback_stop_pct",
            fallback_stop_pct,
            fallback_stop_pct > 0.0 && fallback_stop_pct < 1.0,
            "in (0, 1)",
        )?;
        check(
            "change_eps_pct",
            change_eps_pct,
            change_eps_pct >= 0.0,
            "≥ 0",
        )?;
        check(
            "max_publish_age_sec",
            max_publish_age_sec,
            max_publish_age_sec >= 0.0,
            "≥ 0",
        )?;
        Ok(Rules {
            theta: Theta {
                fallback_stop_pct,
                ..Theta::default()
            },
            thresholds: Thresholds {
                change_eps_pct,
                max_publish_age_sec,
            },
        })
    }
}

/// One symbol's reads of a cycle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SymbolReads {
    /// `HGETALL quantum:marketstate:<SYM>`.
    pub market: Fields,
    /// `HGETALL quantum:risk:proposal:<SYM>`.
    pub p1: Fields,
    /// The position record and the key (or stream entry) it came from; `None` when there is none.
    pub position: Option<(String, Fields)>,
    /// [`output::DECISION_FIELDS`] of the published hash.
    pub published: [Option<String>; 4],
}

/// Why a symbol was skipped this cycle (its published hash is left as it was).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Skip {
    /// An input field could not be read.
    #[error("{0}")]
    Input(#[from] InputError),
    /// The kernel refused the inputs.
    #[error("kernel: {0}")]
    Kernel(#[from] KernelError),
}

/// What one symbol's cycle comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Write every field (and the stream entry with `--enable-stream`).
    Publish {
        /// Why.
        decision: Decision,
        /// The hash's fields.
        fields: Vec<(&'static str, String)>,
    },
    /// Unchanged: only refresh `last_update_epoch`.
    Refresh,
    /// No position: no proposal; `had_proposal` when a published hash exists (it is removed, so
    /// no stale proposal is left for a position that is gone).
    NoPosition {
        /// Whether the published hash existed.
        had_proposal: bool,
    },
    /// Bad data: skipped, with the reason.
    Skipped(Skip),
}

/// One symbol's cycle: parse the reads, run the kernel, decide.
///
/// `now_epoch` is the cycle's clock in Unix seconds; `computed_at_utc` its ISO 8601 text.
///
/// ```
/// use harvest_publisher::plan::{evaluate, Outcome, Rules, SymbolReads};
/// let out = evaluate("BTCUSDT", &SymbolReads::default(), &Rules::default(), 0.0, "");
/// assert_eq!(out, Outcome::NoPosition { had_proposal: false });
/// ```
pub fn evaluate(
    symbol: &str,
    reads: &SymbolReads,
    rules: &Rules,
    now_epoch: f64,
    computed_at_utc: &str,
) -> Outcome {
    let had_proposal = reads.published.iter().any(Option::is_some);
    let Some((pos_key, pos_fields)) = &reads.position else {
        return Outcome::NoPosition { had_proposal };
    };
    let position = match input::parse_position(pos_key, symbol, pos_fields) {
        Ok(Some(p)) => p,
        Ok(None) => return Outcome::NoPosition { had_proposal },
        Err(e) => return Outcome::Skipped(e.into()),
    };
    let market = match input::parse_market_state(&input::market_state_key(symbol), &reads.market) {
        Ok(m) => m,
        Err(e) => return Outcome::Skipped(e.into()),
    };
    let p1 = match input::parse_p1(&input::risk_proposal_key(symbol), &reads.p1) {
        Ok(p) => p,
        Err(e) => return Outcome::Skipped(e.into()),
    };
    let proposal = match propose(&HarvestInput {
        position,
        market_state: market,
        p1_proposal: p1,
        theta: Some(rules.theta),
    }) {
        Ok(p) => p,
        Err(e) => return Outcome::Skipped(e.into()),
    };
    let prev: Option<Published> = output::parse_published(&reads.published);
    let decision = decide(
        prev.as_ref(),
        proposal.harvest_action,
        proposal.new_sl_proposed,
        proposal.kill_score,
        now_epoch,
        &rules.thresholds,
    );
    if decision.publishes() {
        Outcome::Publish {
            decision,
            fields: output::hash_fields(&proposal, computed_at_utc, now_epoch.floor() as i64),
        }
    } else {
        Outcome::Refresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::FIELDS;

    fn f(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn reads() -> SymbolReads {
        SymbolReads {
            market: f(&[
                ("sigma", "0.01"),
                ("ts", "0.4"),
                ("p_trend", "0.6"),
                ("p_mr", "0.2"),
                ("p_chop", "0.2"),
            ]),
            p1: f(&[("stop_dist_pct", "0.01"), ("proposed_sl", "99")]),
            position: Some((
                "quantum:state:positions:BTCUSDT".into(),
                f(&[
                    ("symbol", "BTCUSDT"),
                    ("side", "LONG"),
                    ("entry_price", "100"),
                    ("current_price", "104"),
                    ("age_sec", "3600"),
                    ("unrealized_pnl", "4"),
                    ("current_sl", "99"),
                ]),
            )),
            published: [None, None, None, None],
        }
    }

    #[test]
    fn source_and_shard_table() {
        let cases: &[(&str, Result<PositionSource, ConfigError>)] = &[
            ("auto", Ok(PositionSource::Auto)),
            ("redis_hash", Ok(PositionSource::RedisHash)),
            ("REDIS_STREAM", Ok(PositionSource::RedisStream)),
            ("synthetic", Err(ConfigError::Synthetic)),
            ("files", Err(ConfigError::UnknownSource("files".into()))),
        ];
        for (s, want) in cases {
            assert_eq!(s.parse::<PositionSource>(), *want, "{s}");
        }
        assert!(ConfigError::Synthetic
            .to_string()
            .contains("positions that do not exist"));
        for bad in ["", "1", "0/1", "3/2", "a/b", "1/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(" 1 / 1 ".parse::<Shard>(), Ok(Shard { k: 1, n: 1 }));
    }

    #[test]
    fn rules_table() {
        assert_eq!(Rules::new(0.02, 0.001, 60.0), Ok(Rules::default()));
        for (stop, eps, age) in [
            (0.0, 0.001, 60.0),
            (1.0, 0.001, 60.0),
            (f64::NAN, 0.001, 60.0),
            (0.02, -0.1, 60.0),
            (0.02, 0.001, -1.0),
            (0.02, 0.001, f64::INFINITY),
        ] {
            assert!(Rules::new(stop, eps, age).is_err(), "{stop} {eps} {age}");
        }
    }

    #[test]
    fn evaluate_table() {
        let rules = Rules::default();
        let first = evaluate("BTCUSDT", &reads(), &rules, 1000.5, "T");
        let Outcome::Publish { decision, fields } = &first else {
            panic!("{first:?}")
        };
        assert_eq!(*decision, Decision::First);
        assert_eq!(fields.len(), FIELDS.len());
        let get = |k: &str| Some(fields.iter().find(|(n, _)| *n == k).unwrap().1.clone());
        assert_eq!(get("last_update_epoch").unwrap(), "1000");
        assert_eq!(get("computed_at_utc").unwrap(), "T");

        // Published back (with a real timestamp): unchanged ten seconds later, aged after 60 s.
        let mut again = reads();
        again.published = output::DECISION_FIELDS.map(get);
        again.published[3] = Some("1970-01-01T00:16:40.500000+00:00".into());
        assert_eq!(
            evaluate("BTCUSDT", &again, &rules, 1010.5, "T"),
            Outcome::Refresh
        );
        assert!(matches!(
            evaluate("BTCUSDT", &again, &rules, 1060.5, "T"),
            Outcome::Publish {
                decision: Decision::Aged,
                ..
            }
        ));
        let mut moved = again.clone();
        moved
            .position
            .as_mut()
            .unwrap()
            .1
            .insert("unrealized_pnl".into(), "0".into());
        assert!(matches!(
            evaluate("BTCUSDT", &moved, &rules, 1010.5, "T"),
            Outcome::Publish {
                decision: Decision::ActionChanged,
                ..
            }
        ));

        // No position: nothing invented; a stale proposal is reported for removal.
        let mut none = again.clone();
        none.position = None;
        assert_eq!(
            evaluate("BTCUSDT", &none, &rules, 1010.0, "T"),
            Outcome::NoPosition { had_proposal: true }
        );
        let mut flat = reads();
        flat.position
            .as_mut()
            .unwrap()
            .1
            .insert("side".into(), "FLAT".into());
        assert_eq!(
            evaluate("BTCUSDT", &flat, &rules, 1010.0, "T"),
            Outcome::NoPosition {
                had_proposal: false
            }
        );
    }

    #[test]
    fn skips_name_key_and_field() {
        let rules = Rules::default();
        type Mutate = Box<dyn Fn(&mut SymbolReads)>;
        let cases: Vec<(Mutate, &str)> = vec![
            (
                Box::new(|r| {
                    r.market.insert("sigma".into(), "abc".into());
                }),
                "quantum:marketstate:BTCUSDT: field `sigma` = \"abc\" is not a finite number",
            ),
            (
                Box::new(|r| r.market.clear()),
                "quantum:marketstate:BTCUSDT: missing (no such hash or it is empty)",
            ),
            (
                Box::new(|r| {
                    r.p1.remove("stop_dist_pct");
                }),
                "quantum:risk:proposal:BTCUSDT: field `stop_dist_pct` is missing",
            ),
            (
                Box::new(|r| {
                    r.position.as_mut().unwrap().1.remove("entry_price");
                }),
                "quantum:state:positions:BTCUSDT: field `entry_price` is missing",
            ),
            (
                Box::new(|r| {
                    r.position
                        .as_mut()
                        .unwrap()
                        .1
                        .insert("entry_price".into(), "-5".into());
                }),
                "kernel: position.entry_price",
            ),
        ];
        for (mutate, want) in cases {
            let mut r = reads();
            mutate(&mut r);
            match evaluate("BTCUSDT", &r, &rules, 0.0, "T") {
                Outcome::Skipped(e) => {
                    assert!(e.to_string().starts_with(want), "{e} vs {want}")
                }
                other => panic!("{want}: {other:?}"),
            }
        }
    }
}
