//! Pure: what one symbol's reads come to in a P1.5 cycle — the market state as the running P1.5
//! reads it, the position by P2.5's rules (`harvest_records::position`), P1 as the running P1.5
//! computes it, the published record, and the running service's rate limit.

use harvest_market::{propose_stops_unchecked, MarketState, P1Params, StopInput};
use harvest_records::fields::clip;
use harvest_records::market::NUMBER_FIELDS;
use harvest_records::num::parse_py_float;
use harvest_records::p1::P1Out;
use harvest_records::position::PositionRead;
use harvest_records::Fields;

/// The running service publishes again at least this often (seconds), changed or not.
pub const MAX_AGE_SEC: f64 = 60.0;

/// A relative move of the SL or TP (of `max(last, 1)`) above this is a change.
pub const CHANGE: f64 = 0.001;

/// What P1 computes with: the `p1-trend` fix, and P1's parameters (the running P1.5's).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rules {
    /// The opt-in fix `p1-trend`: P1 uses the market state's real `p_trend` (the running P1.5
    /// stores it under a dummy name and computes with 0.0).
    pub p1_trend: bool,
    /// P1's parameters.
    pub params: P1Params,
}

/// The market state as P1.5 uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskMarket {
    /// The state P1 computes with (`p_trend` 0.0 unless `p1-trend`).
    pub state: MarketState,
    /// Fields P1 reads that the hash lacks (read as 0.0, as the running P1.5 does).
    pub missing: Vec<&'static str>,
}

/// Reads `quantum:marketstate:<SYM>` as the running P1.5: the nine fields with `float()`,
/// a missing one as 0.0, `p_trend` as 0.0 (its value is still read) unless `p1_trend`.
///
/// # Errors
/// The hash is empty or absent, or a field is not a number — the running P1.5 then skips the
/// symbol too; NaN or ∞ (which it would compute with) are refused as well. The text names the key
/// and the field.
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_publisher::risk::plan::read_market;
/// let f = fields(&[("sigma", "0.01000000"), ("ts", "0.5"), ("p_trend", "0.6"), ("p_mr", "0.1"), ("p_chop", "0.3")]);
/// let m = read_market("k", &f, false).unwrap();
/// assert_eq!((m.state.sigma, m.state.p_trend), (0.01, 0.0));
/// assert_eq!(m.missing, ["mu", "dp", "vr", "spike_proxy"]);
/// assert_eq!(read_market("k", &f, true).unwrap().state.p_trend, 0.6);
/// assert!(read_market("k", &fields(&[("sigma", "x")]), false).is_err());
/// ```
pub fn read_market(key: &str, f: &Fields, p1_trend: bool) -> Result<RiskMarket, String> {
    if f.is_empty() {
        return Err(format!(
            "{key}: missing (no such hash or it is empty): no market state"
        ));
    }
    let mut v = [0.0f64; 9];
    let mut missing = Vec::new();
    // P0.5's numbers, each with Python's `float()`; the first that fails makes the whole state
    // unusable.
    for (i, name) in NUMBER_FIELDS.iter().enumerate() {
        match f.get(*name) {
            None => missing.push(*name),
            Some(text) => match parse_py_float(text) {
                Some(x) if x.is_finite() => v[i] = x,
                Some(_) => {
                    return Err(format!(
                        "{key}: field `{name}` = {:?} is not a finite number",
                        clip(text)
                    ))
                }
                None => {
                    return Err(format!(
                        "{key}: field `{name}` = {:?} is not a number",
                        clip(text)
                    ))
                }
            },
        }
    }
    if !p1_trend {
        missing.retain(|m| *m != "p_trend");
    }
    let [sigma, mu, ts, p_trend, p_mr, p_chop, dp, vr, spike_proxy] = v;
    Ok(RiskMarket {
        state: MarketState {
            sigma,
            mu,
            ts,
            p_trend: if p1_trend { p_trend } else { 0.0 },
            p_mr,
            p_chop,
            dp,
            vr,
            spike_proxy,
        },
        missing,
    })
}

/// What was last published for a symbol (in memory, as the running P1.5 keeps it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Last {
    /// Proposed SL.
    pub sl: f64,
    /// Proposed TP.
    pub tp: f64,
    /// When (Unix seconds).
    pub at: f64,
}

/// The running P1.5's rate limit: publish the first time, when the SL or the TP moved by more
/// than [`CHANGE`] of `max(last, 1)`, or when [`MAX_AGE_SEC`] passed.
///
/// ```
/// use harvest_publisher::risk::plan::{should_publish, Last};
/// let last = Last { sl: 100.0, tp: 110.0, at: 1000.0 };
/// assert!(should_publish(None, 100.0, 110.0, 1000.0));
/// assert!(!should_publish(Some(last), 100.05, 110.0, 1030.0));
/// assert!(should_publish(Some(last), 100.2, 110.0, 1030.0));
/// assert!(should_publish(Some(last), 100.0, 110.0, 1060.5));
/// ```
pub fn should_publish(last: Option<Last>, sl: f64, tp: f64, now: f64) -> bool {
    let Some(l) = last else {
        return true;
    };
    let moved = |a: f64, b: f64| (a - b).abs() / b.max(1.0) > CHANGE;
    moved(sl, l.sl) || moved(tp, l.tp) || now - l.at > MAX_AGE_SEC
}

/// One symbol's cycle.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Write the record (and the stream entry with `--enable-stream`).
    Publish(Box<P1Out>),
    /// Computed, not changed enough: nothing written.
    Unchanged,
    /// No position: nothing published (the running P1.5 publishes for a FLAT record, computed
    /// as SHORT); `flat` is the side text when the record said so.
    NoPosition {
        /// The side text of a FLAT/NONE/CLOSED/empty record.
        flat: Option<String>,
    },
    /// Bad data: skipped, with the reason (the last published record stays).
    Skipped(String),
}

/// What an evaluation comes to, with lines to log.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// The outcome.
    pub outcome: Outcome,
    /// Things to say about the inputs (missing fields read as 0.0, another symbol's record).
    pub notes: Vec<String>,
    /// The SL and TP computed (for the rate limit's memory).
    pub proposed: Option<(f64, f64)>,
}

/// One symbol's reads of a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Reads {
    /// Its position record (read by P2.5's rules), or why it could not be read.
    pub position: Result<Option<PositionRead>, String>,
    /// `HGETALL quantum:marketstate:<SYM>`, or why it could not be read.
    pub market: Result<Fields, String>,
    /// Whether `quantum:risk:proposal:<SYM>` is in Redis (one that went missing is published at
    /// once).
    pub exists: bool,
    /// What this service last wrote for it.
    pub last: Option<Last>,
}

/// One symbol's cycle: the position, the market state, P1, the rate limit. `now` is the
/// cycle's clock (Unix seconds), `computed_at_utc` its text.
pub fn evaluate(
    symbol: &str,
    reads: Reads,
    rules: &Rules,
    now: f64,
    computed_at_utc: &str,
) -> Evaluated {
    let Reads {
        position,
        market,
        exists,
        last,
    } = reads;
    let done = |outcome| Evaluated {
        outcome,
        notes: Vec::new(),
        proposed: None,
    };
    let record = match position {
        Err(e) => return done(Outcome::Skipped(e)),
        Ok(None) => return done(Outcome::NoPosition { flat: None }),
        Ok(Some(PositionRead::Flat { side_text })) => {
            return done(Outcome::NoPosition {
                flat: Some(side_text),
            })
        }
        Ok(Some(PositionRead::Open(p))) => p,
    };
    let key = harvest_records::keys::market_state_key(symbol);
    let market = match market.and_then(|f| read_market(&key, &f, rules.p1_trend)) {
        Ok(m) => m,
        Err(e) => return done(Outcome::Skipped(e)),
    };
    let mut notes = Vec::new();
    if !market.missing.is_empty() {
        notes.push(format!(
            "{key} has no {}: read as 0.0, as the running P1.5 does",
            market.missing.join(", ")
        ));
    }
    if let Some(other) = &record.other_symbol {
        notes.push(format!(
            "{}: field `symbol` = {other:?} names another symbol: the key's symbol {symbol} is used",
            record.key
        ));
    }
    let input = StopInput {
        side: record.side,
        current_price: record.current_price,
        peak_price: record.peak_price,
        trough_price: record.trough_price,
        current_sl: record.current_sl,
    };
    let p = propose_stops_unchecked(&input, &market.state, &rules.params);
    let proposed = Some((p.proposed_sl, p.proposed_tp));
    if exists && !should_publish(last, p.proposed_sl, p.proposed_tp, now) {
        return Evaluated {
            outcome: Outcome::Unchanged,
            notes,
            proposed,
        };
    }
    let s = &market.state;
    let out = P1Out {
        proposed_sl: p.proposed_sl,
        proposed_tp: p.proposed_tp,
        stop_dist_pct: p.stop_dist_pct,
        tp_dist_pct: p.tp_dist_pct,
        trail_gap_pct: p.trail_gap_pct,
        reason_codes: p
            .reason_codes
            .iter()
            .map(|r| r.as_str().to_string())
            .collect(),
        ts: s.ts,
        sigma: s.sigma,
        p_trend: s.p_trend,
        p_mr: s.p_mr,
        p_chop: s.p_chop,
        computed_at_utc: computed_at_utc.to_string(),
        position_side: record.side_text.clone(),
        position_age_sec: record.age_sec.unwrap_or(0.0),
        position_current_price: record.current_price,
        position_entry_price: record.entry_price,
    };
    Evaluated {
        outcome: Outcome::Publish(Box::new(out)),
        notes,
        proposed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_records::fields::fields;
    use harvest_records::position::{parse, Origin};
    use harvest_records::samples::MARKET_STATE as MARKET;

    fn position(pairs: &[(&str, &str)]) -> Result<Option<PositionRead>, String> {
        parse(
            "quantum:state:positions:BTCUSDT",
            "BTCUSDT",
            Origin::Hash,
            &fields(pairs),
        )
        .map_err(|e| e.to_string())
    }

    fn run(pos: &[(&str, &str)], market: &[(&str, &str)], rules: Rules) -> Evaluated {
        let reads = Reads {
            position: position(pos),
            market: Ok(fields(market)),
            exists: false,
            last: None,
        };
        evaluate(
            "BTCUSDT",
            reads,
            &rules,
            1000.0,
            "2026-12-06T17:22:50.994482",
        )
    }

    fn out(e: &Evaluated) -> &P1Out {
        match &e.outcome {
            Outcome::Publish(o) => o,
            other => panic!("{other:?}"),
        }
    }

    /// The running P1.5: p_trend 0.0 (so the dominant regime is never trend and the TP never
    /// extended); with `p1-trend` the real one.
    #[test]
    fn p_trend_is_zero_unless_the_fix() {
        let pos = [
            ("side", "LONG"),
            ("entry_price", "100"),
            ("current_price", "104"),
            ("peak_price", "105"),
        ];
        let running = run(&pos, MARKET, Rules::default());
        let o = out(&running);
        assert_eq!(o.p_trend, 0.0);
        assert_eq!(o.reason_codes, ["trail_active", "regime_mr"]);
        let fixed = run(
            &pos,
            MARKET,
            Rules {
                p1_trend: true,
                ..Rules::default()
            },
        );
        let f = out(&fixed);
        assert_eq!(f.p_trend, 0.55);
        assert!(f.reason_codes.contains(&"regime_trend".to_string()));
        assert!(f.reason_codes.contains(&"tp_extended".to_string()));
        assert!(f.proposed_tp > o.proposed_tp);
    }

    /// Records as the apply layer writes them (no current_price): P1 on a price of 0, as the
    /// running P1.5 publishes it.
    #[test]
    fn apply_layer_record_computes_on_zero_price() {
        let e = run(
            &[
                ("symbol", "BTCUSDT"),
                ("side", "LONG"),
                ("quantity", "0.004"),
                ("entry_price", "97250.1"),
                ("stop_loss", "95305.098"),
                ("created_at", "1767225600"),
                ("unrealized_pnl", "0.0"),
            ],
            MARKET,
            Rules::default(),
        );
        let o = out(&e);
        assert_eq!((o.proposed_sl, o.proposed_tp), (0.0, 0.0));
        assert_eq!((o.position_current_price, o.position_age_sec), (0.0, 0.0));
        assert_eq!(o.position_entry_price, 97250.1);
        let f = o.hash_fields();
        assert_eq!(f[0], ("proposed_sl", "0.0".to_string()));
        assert_eq!(f[8], ("p_trend", "0.0".to_string()));
        assert_eq!(f[7], ("sigma", "0.012".to_string()));
    }

    #[test]
    fn positions_by_p25s_rules() {
        // BUY is LONG (the running P1.5 raises "Invalid side" and skips it).
        let e = run(
            &[
                ("side", "BUY"),
                ("entry_price", "100"),
                ("current_price", "100"),
            ],
            MARKET,
            Rules::default(),
        );
        assert_eq!(out(&e).position_side, "BUY");
        assert!(out(&e).proposed_sl < 100.0);
        // FLAT: no position, nothing published.
        let e = run(
            &[("side", "FLAT"), ("entry_price", "100")],
            MARKET,
            Rules::default(),
        );
        assert_eq!(
            e.outcome,
            Outcome::NoPosition {
                flat: Some("FLAT".into())
            }
        );
        // The key's symbol wins (the running P1.5 raises "Symbol mismatch").
        let e = run(
            &[
                ("symbol", "ETHUSDT"),
                ("side", "SHORT"),
                ("entry_price", "100"),
                ("current_price", "100"),
                ("current_sl", "None"),
            ],
            MARKET,
            Rules::default(),
        );
        assert!(out(&e).proposed_sl > 100.0);
        assert!(
            e.notes[0].contains("the key's symbol BTCUSDT is used"),
            "{:?}",
            e.notes
        );
        // A side that is no side: skipped, named.
        let e = run(
            &[("side", "UP"), ("entry_price", "1")],
            MARKET,
            Rules::default(),
        );
        assert!(matches!(e.outcome, Outcome::Skipped(ref m) if m.contains("`side`")));
    }

    #[test]
    fn market_state_problems() {
        let pos = [
            ("side", "LONG"),
            ("entry_price", "100"),
            ("current_price", "100"),
        ];
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[],
                "quantum:marketstate:BTCUSDT: missing (no such hash or it is empty)",
            ),
            (
                &[("sigma", "abc")],
                "field `sigma` = \"abc\" is not a number",
            ),
            (
                &[("sigma", "0.01"), ("dp", "")],
                "field `dp` = \"\" is not a number",
            ),
            (
                &[("sigma", "nan")],
                "field `sigma` = \"nan\" is not a finite number",
            ),
        ];
        for (m, want) in cases {
            let e = run(&pos, m, Rules::default());
            match e.outcome {
                Outcome::Skipped(msg) => assert!(msg.contains(want), "{msg}"),
                other => panic!("{other:?}"),
            }
        }
        // Missing fields: 0.0, said once.
        let e = run(&pos, &[("sigma", "0.02")], Rules::default());
        assert_eq!(out(&e).p_mr, 0.0);
        assert_eq!(
            e.notes,
            ["quantum:marketstate:BTCUSDT has no mu, ts, p_mr, p_chop, dp, vr, spike_proxy: read as 0.0, as the running P1.5 does"]
        );
    }

    #[test]
    fn rate_limit_and_missing_record() {
        let pos = position(&[
            ("side", "LONG"),
            ("entry_price", "100"),
            ("current_price", "100"),
        ]);
        let ev = |exists, last| {
            let reads = Reads {
                position: pos.clone(),
                market: Ok(fields(MARKET)),
                exists,
                last,
            };
            evaluate("BTCUSDT", reads, &Rules::default(), 1000.0, "")
        };
        let first = ev(true, None);
        let (sl, tp) = first.proposed.unwrap();
        assert!(matches!(first.outcome, Outcome::Publish(_)));
        let last = Last { sl, tp, at: 990.0 };
        assert_eq!(ev(true, Some(last)).outcome, Outcome::Unchanged);
        // Gone from Redis: published again at once.
        assert!(matches!(ev(false, Some(last)).outcome, Outcome::Publish(_)));
    }
}
