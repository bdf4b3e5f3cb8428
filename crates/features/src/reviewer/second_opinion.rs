//! The reviewer's second opinion on a published record: what the kernel says with the facts the
//! running publisher ignores, in words. The verdict stays the running system's own (MATCH /
//! MISMATCH / INVALID against its rules); this is a separate column.
//!
//! From the record alone: a FLAT side is no position; a `BUY` or `long` side the running publisher
//! computed as SHORT. With the position record at hand (Redis, or a `harvest snapshot` file): the
//! position is gone or closed; the age from the open time (`created_at`, `ts_epoch`), the stop
//! in force (`stop_loss`) and the quantity, each said with what it changes, and the proposal with
//! all of them (the opt-in fix `full-facts`).

use serde::{Deserialize, Serialize};

use harvest_kernel::{propose, HarvestAction, HarvestInput, Proposal, Side};
use harvest_records::position::{self, read_side, Origin, PositionRead, SideReading};
use harvest_records::published::PositionContext;
use harvest_records::Fields;

use crate::format::format_sig;

/// The kernel's proposal with every fact at hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithFacts {
    /// The action.
    pub harvest_action: HarvestAction,
    /// The proposed stop.
    pub new_sl_proposed: Option<f64>,
    /// R_net.
    #[serde(rename = "R_net")]
    pub r_net: f64,
    /// K.
    pub kill_score: f64,
}

/// What would change, fact by fact, and the proposal with all the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondOpinion {
    /// One sentence a fact, each saying what it changes.
    pub notes: Vec<String>,
    /// The proposal with every fact at hand, when it differs from the recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_facts: Option<WithFacts>,
}

/// An age for people: `45 min`, `26 h`, `3.5 d`.
///
/// ```
/// use harvest_features::reviewer::second_opinion::age_text;
/// assert_eq!(age_text(2700.0), "45 min");
/// assert_eq!(age_text(26.0 * 3600.0), "26 h");
/// assert_eq!(age_text(5.5 * 3600.0), "5.5 h");
/// assert_eq!(age_text(3.5 * 86400.0), "3.5 d");
/// ```
pub fn age_text(secs: f64) -> String {
    if secs < 5400.0 {
        format!("{} min", format_sig((secs / 60.0).round(), 3))
    } else if secs < 48.0 * 3600.0 {
        let h = secs / 3600.0;
        format!(
            "{} h",
            format_sig(
                if h < 10.0 {
                    (h * 10.0).round() / 10.0
                } else {
                    h.round()
                },
                3
            )
        )
    } else {
        format!(
            "{} d",
            format_sig((secs / 86400.0 * 10.0).round() / 10.0, 3)
        )
    }
}

fn k_text(k: f64) -> String {
    format_sig(k, 3)
}

fn price(v: f64) -> String {
    format_sig(v, 8)
}

fn stop_text(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_string(), price)
}

/// The consequence of a changed input: ` → FULL_CLOSE_PROPOSED`, `, new stop 100.2`, or
/// ` (no change)`.
fn consequence(before: &Proposal, after: &Proposal) -> String {
    let mut parts = Vec::new();
    if after.harvest_action != before.harvest_action {
        parts.push(format!(" → {}", after.harvest_action.as_str()));
    }
    if after.new_sl_proposed != before.new_sl_proposed {
        parts.push(format!(
            "{}new_sl_proposed {} (not {})",
            if parts.is_empty() { ": " } else { ", " },
            stop_text(after.new_sl_proposed),
            stop_text(before.new_sl_proposed)
        ));
    }
    if parts.is_empty() {
        " (no change)".to_string()
    } else {
        parts.concat()
    }
}

fn with(base: &HarvestInput, change: impl FnOnce(&mut HarvestInput)) -> Option<Proposal> {
    let mut i = base.clone();
    change(&mut i);
    propose(&i).ok()
}

fn origin_of(key: &str) -> Origin {
    if key.starts_with(harvest_records::keys::EXECUTION_STREAM) {
        Origin::Stream
    } else {
        Origin::Hash
    }
}

/// The second opinion on a published record `f` (`None` when there is nothing to say).
///
/// `base` is the input the record was computed from as the verdict saw it (its audit, or what
/// the running publisher computed from the fields); `position` the position record read with
/// it (empty fields: there was none); `read_at` when it was read (the age from the open time).
///
/// ```
/// use harvest_kernel::{propose, HarvestInput};
/// use harvest_records::fields::fields;
/// use harvest_records::published::{record, PositionContext};
/// use harvest_features::reviewer::second_opinion::second_opinion;
/// let mut base = HarvestInput::default();
/// base.position.age_sec = 0.0;
/// base.position.current_sl = None;
/// let f = record(&propose(&base).unwrap(), 0, false);
/// // The apply layer's record: opened 26 h before it was read.
/// let pos = PositionContext {
///     key: "quantum:state:positions:BTCUSDT".into(),
///     fields: fields(&[("side", "LONG"), ("entry_price", "100"), ("created_at", "1000")]),
/// };
/// let o = second_opinion(&f, Some(&base), Some(&pos), Some(1000.0 + 26.0 * 3600.0)).unwrap();
/// assert_eq!(o.notes[0], "age 26 h is not in the record (created_at): with it K = 0.574 < 0.6 (no change)");
/// ```
pub fn second_opinion(
    f: &Fields,
    base: Option<&HarvestInput>,
    position: Option<&PositionContext>,
    read_at: Option<f64>,
) -> Option<SecondOpinion> {
    let mut notes = Vec::new();
    let side_text = f.get("position_side").map(String::as_str).unwrap_or("");
    let symbol = f.get("symbol").map(String::as_str).unwrap_or("");
    let before = base.and_then(|b| propose(b).ok());
    // Our reading of the side; the facts are judged from there on.
    let mut facts_base = base.cloned();
    match read_side(side_text) {
        Some(SideReading::Flat) => {
            notes.push(format!(
                "position_side {side_text:?} is no position: Harvest Lab publishes no proposal for \
                 it (and deletes this one)"
            ));
            return Some(SecondOpinion {
                notes,
                with_facts: None,
            });
        }
        Some(SideReading::Long) if base.is_some_and(|b| b.position.side == Side::Short) => {
            if let (Some(b), Some(before)) = (base, &before) {
                if let Some(long) = with(b, |i| i.position.side = Side::Long) {
                    notes.push(format!(
                        "computed as SHORT but the position is {side_text}: as LONG{}",
                        consequence(before, &long)
                    ));
                }
                if let Some(fb) = facts_base.as_mut() {
                    fb.position.side = Side::Long;
                }
            }
        }
        None => notes.push(format!(
            "position_side {side_text:?} is not a side: computed as SHORT; Harvest Lab skips such \
             a position, naming the field"
        )),
        _ => {}
    }
    let mut with_facts: Option<Proposal> = None;
    if let Some(ctx) = position {
        if ctx.fields.is_empty() {
            notes.push(format!(
                "no position at {}: the position is gone; Harvest Lab deletes a proposal left for it",
                ctx.key
            ));
            return Some(SecondOpinion {
                notes,
                with_facts: None,
            });
        }
        match position::parse(&ctx.key, symbol, origin_of(&ctx.key), &ctx.fields) {
            Err(e) => notes.push(format!("the position record cannot be read: {e}")),
            Ok(None) => {}
            Ok(Some(PositionRead::Flat { side_text })) => {
                notes.push(format!(
                    "{} says side {:?}: the position is closed; Harvest Lab publishes no proposal \
                     for it (and deletes this one)",
                    ctx.key,
                    side_text.trim()
                ));
                return Some(SecondOpinion {
                    notes,
                    with_facts: None,
                });
            }
            Ok(Some(PositionRead::Open(rec))) => {
                if let (Some(b), Some(before)) = (facts_base.as_ref(), &before) {
                    let t = b.theta.unwrap_or_default();
                    let mut all = b.clone();
                    let mut any = false;
                    // The age from the open time.
                    if let (None, Some((field, at)), Some(now)) =
                        (rec.age_sec, rec.facts.opened_at, read_at)
                    {
                        let age = (now - at).max(0.0);
                        if (age - b.position.age_sec).abs() >= 1.0 {
                            if let Some(p) = with(b, |i| i.position.age_sec = age) {
                                let cmp = if p.kill_score >= t.kill_threshold {
                                    "≥"
                                } else {
                                    "<"
                                };
                                notes.push(format!(
                                    "age {} is not in the record ({field}): with it K = {} {cmp} {}{}",
                                    age_text(age),
                                    k_text(p.kill_score),
                                    format_sig(t.kill_threshold, 6),
                                    consequence(before, &p)
                                ));
                            }
                            all.position.age_sec = age;
                            any = true;
                        }
                    }
                    // The stop in force.
                    if let (None, None, Some(sl)) =
                        (b.position.current_sl, rec.current_sl, rec.facts.stop_loss)
                    {
                        let recorded = before.new_sl_proposed;
                        let loosens = recorded.is_some_and(|p| match b.position.side {
                            Side::Long => p < sl,
                            Side::Short => p > sl,
                        });
                        if let (true, Some(p)) = (loosens, recorded) {
                            notes.push(format!(
                                "the proposed stop {} is {} the position's stop_loss {}: applying it \
                                 would loosen the stop",
                                price(p),
                                if b.position.side == Side::Long { "below" } else { "above" },
                                price(sl)
                            ));
                        } else if let Some(p) = with(b, |i| i.position.current_sl = Some(sl)) {
                            let c = consequence(before, &p);
                            if c != " (no change)" {
                                notes.push(format!(
                                    "stop_loss {} is not read as the current stop: with it{c}",
                                    price(sl)
                                ));
                            }
                        }
                        all.position.current_sl = Some(sl);
                        any = true;
                    }
                    // The quantity.
                    if let Some((field, q)) = rec.facts.quantity {
                        if q == 0.0 {
                            notes.push(format!(
                                "{field} 0: a closed position (the exchange sync marks one so); \
                                 with the full facts, no proposal"
                            ));
                            return Some(SecondOpinion {
                                notes,
                                with_facts: None,
                            });
                        }
                        if b.position.qty == 1.0 && q != 1.0 {
                            if let Some(p) = with(b, |i| i.position.qty = q) {
                                notes.push(format!(
                                    "{field} {} is not in the computation: with it R_net = {} (not {}){}",
                                    format_sig(q, 8),
                                    format_sig(p.r_net, 4),
                                    format_sig(before.r_net, 4),
                                    consequence(before, &p)
                                ));
                            }
                            all.position.qty = q;
                            any = true;
                        }
                    }
                    if any || all.position.side != b.position.side {
                        with_facts = propose(&all).ok();
                    }
                }
            }
        }
    } else if facts_base.as_ref().map(|b| b.position.side) != base.map(|b| b.position.side) {
        with_facts = facts_base.as_ref().and_then(|b| propose(b).ok());
    }
    let with_facts = with_facts
        .filter(|p| {
            before.as_ref().is_none_or(|b| {
                b.harvest_action != p.harvest_action
                    || b.new_sl_proposed != p.new_sl_proposed
                    || b.r_net != p.r_net
                    || b.kill_score != p.kill_score
            })
        })
        .map(|p| WithFacts {
            harvest_action: p.harvest_action,
            new_sl_proposed: p.new_sl_proposed,
            r_net: p.r_net,
            kill_score: p.kill_score,
        });
    (!notes.is_empty() || with_facts.is_some()).then_some(SecondOpinion { notes, with_facts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::Theta;
    use harvest_records::fields::fields;
    use harvest_records::published::record;

    /// The input the running publisher computes for an apply-layer position (age 0, no SL).
    fn running(pnl: f64, side: Side) -> HarvestInput {
        let mut i = HarvestInput::default();
        i.position.side = side;
        i.position.age_sec = 0.0;
        i.position.current_sl = None;
        i.position.current_price = Some(0.0);
        i.position.unrealized_pnl = pnl;
        i
    }

    fn ctx(pairs: &[(&str, &str)]) -> PositionContext {
        PositionContext {
            key: "quantum:state:positions:BTCUSDT".into(),
            fields: fields(pairs),
        }
    }

    #[test]
    fn notes_table() {
        let now = 1_767_225_600.0;
        let opened_26h = format!("{}", now - 26.0 * 3600.0);
        let theta_strict = Theta {
            kill_threshold: 0.55,
            ..Theta::default()
        };
        let mut strict = running(0.5, Side::Long);
        strict.theta = Some(theta_strict);
        // (name, base, side text, position record, notes, action with the facts)
        type Case<'a> = (
            &'a str,
            HarvestInput,
            &'a str,
            Option<PositionContext>,
            Vec<String>,
            Option<HarvestAction>,
        );
        let cases: Vec<Case> = vec![
            ("nothing to say", running(0.5, Side::Long), "LONG", None, vec![], None),
            (
                "FLAT",
                running(0.5, Side::Short),
                "FLAT",
                None,
                vec!["position_side \"FLAT\" is no position: Harvest Lab publishes no proposal for it (and deletes this one)".into()],
                None,
            ),
            (
                "BUY computed as SHORT",
                running(5.0, Side::Short),
                "BUY",
                None,
                vec!["computed as SHORT but the position is BUY: as LONG: new_sl_proposed 100.2 (not 99.8)".into()],
                Some(HarvestAction::Partial25),
            ),
            (
                "age makes K trigger",
                strict.clone(),
                "LONG",
                Some(ctx(&[("side", "LONG"), ("entry_price", "100"), ("created_at", &opened_26h)])),
                vec!["age 26 h is not in the record (created_at): with it K = 0.574 ≥ 0.55 → FULL_CLOSE_PROPOSED".into()],
                Some(HarvestAction::FullCloseProposed),
            ),
            (
                "stop_loss above the proposed stop",
                running(5.0, Side::Long),
                "LONG",
                Some(ctx(&[("side", "LONG"), ("entry_price", "100"), ("stop_loss", "101.0")])),
                vec!["the proposed stop 100.2 is below the position's stop_loss 101: applying it would loosen the stop".into()],
                Some(HarvestAction::Partial25),
            ),
            (
                "quantity",
                running(5.0, Side::Long),
                "LONG",
                Some(ctx(&[("side", "LONG"), ("entry_price", "100"), ("quantity", "2")])),
                vec!["quantity 2 is not in the computation: with it R_net = 1.2 (not 2.45) → NONE, new_sl_proposed none (not 100.2)".into()],
                Some(HarvestAction::None),
            ),
            (
                "quantity 0",
                running(5.0, Side::Long),
                "LONG",
                Some(ctx(&[("side", "LONG"), ("entry_price", "100"), ("quantity", "0")])),
                vec!["quantity 0: a closed position (the exchange sync marks one so); with the full facts, no proposal".into()],
                None,
            ),
            (
                "position gone",
                running(5.0, Side::Long),
                "LONG",
                Some(ctx(&[])),
                vec!["no position at quantum:state:positions:BTCUSDT: the position is gone; Harvest Lab deletes a proposal left for it".into()],
                None,
            ),
            (
                "position closed since",
                running(5.0, Side::Long),
                "LONG",
                Some(ctx(&[("side", "FLAT"), ("position_amt", "0.0")])),
                vec!["quantum:state:positions:BTCUSDT says side \"FLAT\": the position is closed; Harvest Lab publishes no proposal for it (and deletes this one)".into()],
                None,
            ),
        ];
        for (name, base, side, position, notes, action) in cases {
            let mut f = record(&propose(&base).unwrap(), 0, false);
            f.insert("position_side".into(), side.into());
            let o = second_opinion(&f, Some(&base), position.as_ref(), Some(now));
            let got_notes = o.as_ref().map(|o| o.notes.clone()).unwrap_or_default();
            assert_eq!(got_notes, notes, "{name}");
            let got_action = o
                .as_ref()
                .and_then(|o| o.with_facts.as_ref())
                .map(|w| w.harvest_action);
            assert_eq!(got_action, action, "{name}");
        }
    }
}
