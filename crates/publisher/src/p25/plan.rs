//! Pure: what one symbol's reads come to in a cycle (publish, refresh, no position, skipped),
//! with the running publisher's reading of the records and Harvest Lab's deliberate fixes
//! (`harvest_records`), the theta in force and the publish rule.

use harvest_kernel::{propose, HarvestInput, KernelError, Theta};
use harvest_records::fields::FieldError;
use harvest_records::keys::{market_state_key, proposal_key, risk_proposal_key};
use harvest_records::position::{FactsUse, PositionRead};
use harvest_records::published::{hash_fields, read_last, LastPublished, Stamp, FIELDS};
use harvest_records::{market, p1, Fields};

use super::rule::{decide, Decision, Thresholds};
use crate::runtime::positions::Found;
use crate::runtime::settings::{require, ConfigError};

/// What the kernel computes from besides theta: the fallback stop, the publish thresholds, the
/// opt-in fix `full-facts`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// `--fallback-stop-pct`: the stop distance without a usable P1 (also with a P1 stop of 0).
    pub fallback_stop_pct: f64,
    /// Publish thresholds.
    pub thresholds: Thresholds,
    /// The opt-in fix `full-facts`: age, current SL and quantity from the position record.
    pub full_facts: bool,
}

impl Default for Rules {
    /// The running system's defaults: fallback stop 0.02, 0.001, 60 s; no fix.
    fn default() -> Self {
        Rules {
            fallback_stop_pct: 0.02,
            thresholds: Thresholds::default(),
            full_facts: false,
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
    /// use harvest_publisher::p25::plan::Rules;
    /// assert!(Rules::new(0.02, 0.001, 60.0).is_ok());
    /// assert!(Rules::new(0.0, 0.001, 60.0).is_err());
    /// ```
    pub fn new(
        fallback_stop_pct: f64,
        change_eps_pct: f64,
        max_publish_age_sec: f64,
    ) -> Result<Rules, ConfigError> {
        let check = |name, value: f64, ok: bool, expected| {
            require(ok && value.is_finite(), (name, value, expected))
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
            fallback_stop_pct,
            thresholds: Thresholds {
                change_eps_pct,
                max_publish_age_sec,
            },
            full_facts: false,
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
    /// The position record found (hash or stream entry); `None` when there is none.
    pub position: Option<Found>,
    /// [`harvest_records::published::DECISION_FIELDS`] of the published hash.
    pub published: [Option<String>; 4],
    /// The names of the fields the published hash has (`HKEYS`): a field of
    /// [`harvest_records::published::FIELDS`] missing from them is written again.
    pub published_fields: Vec<String>,
    /// Why the P1 key could not be read (a key of another type): no P1, as the running
    /// publisher, and a note.
    pub p1_unreadable: Option<String>,
}

/// Why a symbol was skipped this cycle (its published hash is left as it was).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Skip {
    /// An input field could not be read.
    #[error("{0}")]
    Input(#[from] FieldError),
    /// The kernel refused the inputs (or the theta in force).
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
        /// Why there is none (`FLAT`, quantity 0), when a record exists.
        why: Option<String>,
    },
    /// Bad data: skipped, with the reason.
    Skipped(Skip),
}

/// One symbol's cycle, and notes worth a log line (P1 fallback, another symbol in the record).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// What to do.
    pub outcome: Outcome,
    /// Things the operator should know, each a sentence naming key and field.
    pub notes: Vec<String>,
}

impl From<Outcome> for Evaluated {
    fn from(outcome: Outcome) -> Self {
        Evaluated {
            outcome,
            notes: Vec::new(),
        }
    }
}

/// One symbol's cycle: read the records, run the kernel with `theta`, decide.
///
/// `now_epoch` is the cycle's clock in Unix seconds, `stamp` its `computed_at_utc` /
/// `last_update_epoch`.
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_records::published::Stamp;
/// use harvest_publisher::p25::plan::{evaluate, Outcome, Rules, SymbolReads};
/// let out = evaluate("BTCUSDT", &SymbolReads::default(), &Rules::default(), &Theta::default(), 0.0, &Stamp::at_micros(0));
/// assert_eq!(out.outcome, Outcome::NoPosition { had_proposal: false, why: None });
/// ```
pub fn evaluate(
    symbol: &str,
    reads: &SymbolReads,
    rules: &Rules,
    theta: &Theta,
    now_epoch: f64,
    stamp: &Stamp,
) -> Evaluated {
    let had_proposal = reads.published.iter().any(Option::is_some);
    let no_position = |why: Option<String>| Outcome::NoPosition { had_proposal, why }.into();
    let Some(found) = &reads.position else {
        return no_position(None);
    };
    let record = match found.read(symbol) {
        Ok(Some(PositionRead::Open(p))) => p,
        Ok(Some(PositionRead::Flat { side_text })) => {
            return no_position(Some(format!(
                "{}: side {:?} is no position",
                found.key,
                side_text.trim()
            )))
        }
        Ok(None) => return no_position(None),
        Err(e) => return Outcome::Skipped(e.into()).into(),
    };
    if rules.full_facts && record.closed_by_quantity() {
        let field = record.facts.quantity.map_or("quantity", |(f, _)| f);
        return no_position(Some(format!(
            "{}: {field} 0 is a closed position (full-facts)",
            found.key
        )));
    }
    let mut notes = Vec::new();
    if let Some(other) = &record.other_symbol {
        notes.push(format!(
            "{}: field `symbol` = {other:?} names another symbol: the key's {symbol} is used",
            found.key
        ));
    }
    let market = match market::parse(&market_state_key(symbol), &reads.market) {
        Ok(m) => m,
        Err(e) => {
            return Evaluated {
                outcome: Outcome::Skipped(e.into()),
                notes,
            }
        }
    };
    let p1 = p1::read(&risk_proposal_key(symbol), &reads.p1);
    notes.extend(p1.note);
    if let Some(problem) = &reads.p1_unreadable {
        notes.push(format!("{problem}: no P1, the fallback stop is used"));
    }
    let facts = if rules.full_facts {
        FactsUse::Full { now_epoch }
    } else {
        FactsUse::Running
    };
    let theta = Theta {
        fallback_stop_pct: rules.fallback_stop_pct,
        ..*theta
    };
    let proposal = match propose(&HarvestInput {
        position: record.position(symbol, facts),
        market_state: market,
        p1_proposal: p1.proposal,
        theta: Some(theta),
    }) {
        Ok(p) => p,
        Err(e) => {
            return Evaluated {
                outcome: Outcome::Skipped(e.into()),
                notes,
            }
        }
    };
    let prev: Option<LastPublished> = read_last(&reads.published);
    let decision = decide(
        prev.as_ref(),
        proposal.harvest_action,
        proposal.new_sl_proposed,
        proposal.kill_score,
        now_epoch,
        &rules.thresholds,
    );
    // A hash that lost fields (deleted by hand, a partial write) is written in full again.
    let decision = match decision {
        Decision::Unchanged => {
            let missing: Vec<&str> = FIELDS
                .iter()
                .copied()
                .filter(|f| !reads.published_fields.iter().any(|h| h == f))
                .collect();
            if missing.is_empty() {
                decision
            } else {
                notes.push(format!(
                    "{} lacked {} ({}): written in full again",
                    proposal_key(symbol),
                    if missing.len() == 1 {
                        "a field".to_string()
                    } else {
                        format!("{} fields", missing.len())
                    },
                    missing.join(", ")
                ));
                Decision::Incomplete
            }
        }
        d => d,
    };
    let outcome = if decision.publishes() {
        Outcome::Publish {
            decision,
            fields: hash_fields(&proposal, &record.side_text, stamp),
        }
    } else {
        Outcome::Refresh
    };
    Evaluated { outcome, notes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_records::fields::fields;
    use harvest_records::position::Origin;
    use harvest_records::published::{DECISION_FIELDS, FIELDS};

    fn reads() -> SymbolReads {
        SymbolReads {
            market: fields(&[
                ("sigma", "0.01"),
                ("ts", "0.4"),
                ("p_trend", "0.6"),
                ("p_mr", "0.2"),
                ("p_chop", "0.2"),
            ]),
            p1: fields(&[("stop_dist_pct", "0.01"), ("proposed_sl", "99")]),
            position: Some(Found {
                key: "quantum:state:positions:BTCUSDT".into(),
                origin: Origin::Hash,
                fields: fields(&[
                    ("symbol", "BTCUSDT"),
                    ("side", "LONG"),
                    ("entry_price", "100"),
                    ("current_price", "104"),
                    ("age_sec", "3600"),
                    ("unrealized_pnl", "4"),
                    ("current_sl", "99"),
                ]),
            }),
            published: [None, None, None, None],
            published_fields: Vec::new(),
            p1_unreadable: None,
        }
    }

    fn eval(r: &SymbolReads, rules: &Rules, now: f64) -> Evaluated {
        let stamp = Stamp::at_micros((now * 1e6) as i64);
        evaluate("BTCUSDT", r, rules, &Theta::default(), now, &stamp)
    }

    fn pos(r: &mut SymbolReads) -> &mut Fields {
        &mut r.position.as_mut().unwrap().fields
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
        let first = eval(&reads(), &rules, 1000.5);
        let Outcome::Publish { decision, fields } = &first.outcome else {
            panic!("{first:?}")
        };
        assert!(first.notes.is_empty(), "{:?}", first.notes);
        assert_eq!(*decision, Decision::First);
        assert_eq!(fields.len(), FIELDS.len());
        let get = |k: &str| Some(fields.iter().find(|(n, _)| *n == k).unwrap().1.clone());
        assert_eq!(get("last_update_epoch").unwrap(), "1000");
        assert_eq!(
            get("computed_at_utc").unwrap(),
            "1970-01-01T00:16:40.500000"
        );

        // Published back: unchanged ten seconds later, aged after 60 s.
        let mut again = reads();
        again.published = DECISION_FIELDS.map(get);
        again.published_fields = FIELDS.map(String::from).to_vec();
        let unchanged = eval(&again, &rules, 1010.5);
        assert_eq!(unchanged.outcome, Outcome::Refresh);
        assert!(unchanged.notes.is_empty(), "{:?}", unchanged.notes);
        // The hash lost fields (the decision's own are there): written in full again, at once,
        // the missing ones named.
        for (lost, note) in [
            (
                vec!["R_net"],
                "quantum:harvest:proposal:BTCUSDT lacked a field (R_net): written in full again",
            ),
            (
                vec!["proposal_json", "sigma", "ts"],
                "quantum:harvest:proposal:BTCUSDT lacked 3 fields (sigma, ts, \
                 proposal_json): written in full again",
            ),
        ] {
            let mut holed = again.clone();
            holed
                .published_fields
                .retain(|f| !lost.contains(&f.as_str()));
            let e = eval(&holed, &rules, 1010.5);
            let Outcome::Publish { decision, fields } = &e.outcome else {
                panic!("{e:?}")
            };
            assert_eq!(*decision, Decision::Incomplete);
            assert_eq!(fields.len(), FIELDS.len());
            assert_eq!(e.notes, [note]);
        }
        assert!(matches!(
            eval(&again, &rules, 1060.5).outcome,
            Outcome::Publish {
                decision: Decision::Aged,
                ..
            }
        ));
        let mut moved = again.clone();
        pos(&mut moved).insert("unrealized_pnl".into(), "0".into());
        assert!(matches!(
            eval(&moved, &rules, 1010.5).outcome,
            Outcome::Publish {
                decision: Decision::ActionChanged,
                ..
            }
        ));

        // No position: nothing invented; a stale proposal is reported for removal.
        let mut none = again.clone();
        none.position = None;
        assert_eq!(
            eval(&none, &rules, 1010.0).outcome,
            Outcome::NoPosition {
                had_proposal: true,
                why: None
            }
        );
        let mut flat = reads();
        pos(&mut flat).insert("side".into(), "FLAT".into());
        assert_eq!(
            eval(&flat, &rules, 1010.0).outcome,
            Outcome::NoPosition {
                had_proposal: false,
                why: Some("quantum:state:positions:BTCUSDT: side \"FLAT\" is no position".into())
            }
        );
    }

    #[test]
    fn skips_and_notes_name_key_and_field() {
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
                    r.market.insert("ts".into(), "".into());
                }),
                "quantum:marketstate:BTCUSDT: field `ts` is empty",
            ),
            (
                Box::new(|r| {
                    pos(r).remove("entry_price");
                }),
                "quantum:state:positions:BTCUSDT: field `entry_price` is missing",
            ),
            (
                Box::new(|r| {
                    pos(r).insert("entry_price".into(), "-5".into());
                }),
                "kernel: position.entry_price",
            ),
        ];
        for (mutate, want) in cases {
            let mut r = reads();
            mutate(&mut r);
            match eval(&r, &rules, 0.0).outcome {
                Outcome::Skipped(e) => {
                    assert!(e.to_string().starts_with(want), "{e} vs {want}")
                }
                other => panic!("{want}: {other:?}"),
            }
        }
        // Published, with a note: P1 without a usable stop (fallback), another symbol in the hash.
        let mut r = reads();
        r.p1.remove("stop_dist_pct");
        pos(&mut r).insert("symbol".into(), "ETHUSDT".into());
        let e = eval(&r, &rules, 0.0);
        assert!(matches!(e.outcome, Outcome::Publish { .. }), "{e:?}");
        assert_eq!(
            e.notes,
            [
                "quantum:state:positions:BTCUSDT: field `symbol` = \"ETHUSDT\" names another symbol: the key's BTCUSDT is used",
                "quantum:risk:proposal:BTCUSDT: field `stop_dist_pct` is missing or empty: no P1, the fallback stop is used",
            ]
        );
    }
}
