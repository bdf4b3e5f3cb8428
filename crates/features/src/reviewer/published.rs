//! Published proposals: the records P2.5 (`harvest publish`, or the running system's publisher)
//! writes to Redis, hash `quantum:harvest:proposal:<SYM>` and stream
//! `quantum:stream:harvest.proposal`, read back as a map of string fields and verified.
//!
//! A record carrying `proposal_json` (ours) is verified exactly: the proposal in it is recomputed
//! from its audit, and the hash's own fields are checked against the recomputation too. A record
//! without it (the running system's own) is verified as far as its fields allow: theta is the
//! given one or the defaults, P1's stop distance is taken as `risk_unit / entry_price` (qty 1),
//! and a proposed stop is checked against the break-even-plus level; the row lists what could not
//! be checked ([`Unchecked`]). Pure: the CLI and the dashboard's Live view and reviewer call it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::reviewer::verify::{review_line, RecordKind, ReviewRow};
use harvest_kernel::{
    be_plus_level, compare, propose, FieldDiff, HarvestAction, HarvestInput, KComponents,
    MarketState, P1Proposal, Position, Proposal, RecordedOutput, Side, Theta, Tolerance, Verdict,
};

/// A published record: field name → string value, as `HGETALL` (or a stream entry) gives it.
pub type Fields = BTreeMap<String, String>;

/// Prefix of the proposal hashes; the symbol follows (`quantum:harvest:proposal:BTCUSDT`).
pub const HASH_PREFIX: &str = "quantum:harvest:proposal:";

/// The stream the publisher appends every published proposal to (with `--enable-stream`).
pub const STREAM_KEY: &str = "quantum:stream:harvest.proposal";

/// The fields every published record has, in the publisher's order (`proposal_json`,
/// `kernel_version` and, in the stream, `symbol` may come on top).
pub const PUBLISHED_FIELDS: [&str; 25] = [
    "harvest_action",
    "new_sl_proposed",
    "R_net",
    "risk_unit",
    "cost_est",
    "kill_score",
    "reason_codes",
    "k_regime_flip",
    "k_sigma_spike",
    "k_ts_drop",
    "k_age_penalty",
    "sigma",
    "ts",
    "p_trend",
    "p_mr",
    "p_chop",
    "computed_at_utc",
    "last_update_epoch",
    "position_side",
    "position_age_sec",
    "position_current_price",
    "position_entry_price",
    "position_unrealized_pnl",
    "proposal_json",
    "kernel_version",
];

/// Why a published record cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum PublishedError {
    /// The text is not JSON at all (said as the reviewer says it for any record).
    #[error("not JSON: {message}")]
    NotJson {
        /// The parser's message.
        message: String,
    },
    /// The text is not a JSON object of string fields (nor a flat `[name, value, …]` array).
    #[error("not a published record: {message}")]
    NotRecord {
        /// What is wrong with it.
        message: String,
    },
    /// A field the verification needs is absent.
    #[error("{field} is missing")]
    Missing {
        /// The field's name.
        field: String,
    },
    /// A numeric field does not hold a number.
    #[error("{field} = {value:?} is not a number")]
    NotNumber {
        /// The field's name.
        field: String,
        /// Its value as published.
        value: String,
    },
    /// A field outside its spelled values.
    #[error("{field} = {value:?} is not one of {allowed}")]
    NotAllowed {
        /// The field's name.
        field: String,
        /// Its value as published.
        value: String,
        /// The values it may have.
        allowed: String,
    },
    /// `proposal_json` is there but is not a proposal with its audit.
    #[error("proposal_json: {message}")]
    ProposalJson {
        /// The parser's message, with the JSON path of the problem.
        message: String,
    },
}

/// A field (or input) a record without `proposal_json` does not let us check, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unchecked {
    /// The output field or input concerned, e.g. `new_sl_proposed` or `theta`.
    pub field: String,
    /// Why it could not be checked, and what was assumed instead.
    pub why: String,
}

/// Whether `text` looks like a published record (a cheap byte scan; [`parse_record`] decides):
/// it names `harvest_action` but carries no `audit` or `position` object of its own.
///
/// ```
/// use harvest_features::reviewer::published::looks_published;
/// assert!(looks_published(r#"{"harvest_action":"NONE","R_net":"0.1"}"#));
/// assert!(looks_published(r#"["harvest_action","NONE"]"#));
/// assert!(!looks_published(r#"{"harvest_action":"NONE","audit":{}}"#));
/// ```
pub fn looks_published(text: &str) -> bool {
    let has = |key: &[u8]| text.as_bytes().windows(key.len()).any(|w| w == key);
    has(b"\"harvest_action\"") && !has(b"\"audit\"") && !has(b"\"position\"")
}

/// Reads one record: a JSON object of string fields (`redis-cli --json HGETALL`, `harvest
/// snapshot`) or a flat array `[name, value, name, value, …]` (`redis-cli -2 --json HGETALL`).
/// Numbers and booleans are taken as their JSON text; `null` as the literal `None`.
///
/// # Errors
/// [`PublishedError::NotJson`], or [`PublishedError::NotRecord`] for anything else (not JSON, nested objects, an odd array).
///
/// ```
/// use harvest_features::reviewer::published::parse_record;
/// let f = parse_record(r#"["R_net","1.5","harvest_action","NONE"]"#).unwrap();
/// assert_eq!(f["R_net"], "1.5");
/// assert!(parse_record(r#"{"a": {"b": 1}}"#).is_err());
/// ```
pub fn parse_record(text: &str) -> Result<Fields, PublishedError> {
    let not = |message: String| PublishedError::NotRecord { message };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| PublishedError::NotJson {
            message: e.to_string(),
        })?;
    let scalar = |name: &str, v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        serde_json::Value::Null => Ok("None".to_string()),
        _ => Err(not(format!("field {name} is not a string"))),
    };
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), scalar(k, v)?)))
            .collect(),
        serde_json::Value::Array(items) if items.len() % 2 == 0 => items
            .chunks(2)
            .map(|kv| match &kv[0] {
                serde_json::Value::String(k) => Ok((k.clone(), scalar(k, &kv[1])?)),
                other => Err(not(format!("field name {other} is not a string"))),
            })
            .collect(),
        serde_json::Value::Array(items) => Err(not(format!(
            "an array of {} items; a flat record has name, value pairs",
            items.len()
        ))),
        _ => Err(not(
            "expected a JSON object of string fields, as HGETALL gives them".to_string(),
        )),
    }
}

fn field<'a>(f: &'a Fields, name: &str) -> Result<&'a str, PublishedError> {
    f.get(name)
        .map(|s| s.trim())
        .ok_or_else(|| PublishedError::Missing {
            field: name.to_string(),
        })
}

/// A numeric field, read as Python's `float()` writes it (`1.5`, `1e-09`, `nan`, `inf`).
///
/// # Errors
/// [`PublishedError::Missing`] or [`PublishedError::NotNumber`].
///
/// ```
/// use harvest_features::reviewer::published::{number, Fields};
/// let f: Fields = [("R_net".to_string(), "2.5e-1".to_string())].into();
/// assert_eq!(number(&f, "R_net"), Ok(0.25));
/// assert!(number(&f, "kill_score").is_err());
/// ```
pub fn number(f: &Fields, name: &str) -> Result<f64, PublishedError> {
    let s = field(f, name)?;
    crate::format::parse_f64_std(s).ok_or_else(|| PublishedError::NotNumber {
        field: name.to_string(),
        value: s.to_string(),
    })
}

/// `new_sl_proposed`: the literal `None` (or empty, or `null`) for no stop, else a number.
fn optional_number(f: &Fields, name: &str) -> Result<Option<f64>, PublishedError> {
    match field(f, name)? {
        "None" | "" | "null" => Ok(None),
        _ => number(f, name).map(Some),
    }
}

fn side(f: &Fields) -> Result<Side, PublishedError> {
    let s = field(f, "position_side")?;
    match s.to_ascii_uppercase().as_str() {
        "LONG" | "BUY" => Ok(Side::Long),
        "SHORT" | "SELL" => Ok(Side::Short),
        _ => Err(PublishedError::NotAllowed {
            field: "position_side".to_string(),
            value: s.to_string(),
            allowed: "LONG, SHORT".to_string(),
        }),
    }
}

/// The recorded outputs in the hash's own fields (codes comma-joined; `None` for no stop).
///
/// # Errors
/// The first field that is missing or unreadable.
pub fn recorded_output(f: &Fields) -> Result<RecordedOutput, PublishedError> {
    let action = field(f, "harvest_action")?;
    if HarvestAction::parse(action).is_none() {
        return Err(PublishedError::NotAllowed {
            field: "harvest_action".to_string(),
            value: action.to_string(),
            allowed: HarvestAction::ALL.map(|a| a.as_str()).join(", "),
        });
    }
    Ok(RecordedOutput {
        harvest_action: action.to_string(),
        new_sl_proposed: optional_number(f, "new_sl_proposed")?,
        r_net: number(f, "R_net")?,
        risk_unit: number(f, "risk_unit")?,
        cost_est: number(f, "cost_est")?,
        kill_score: number(f, "kill_score")?,
        reason_codes: field(f, "reason_codes")?
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        k_components: Some(KComponents {
            regime_flip: number(f, "k_regime_flip")?,
            sigma_spike: number(f, "k_sigma_spike")?,
            ts_drop: number(f, "k_ts_drop")?,
            age_penalty: number(f, "k_age_penalty")?,
        }),
        tranche_weights: None,
    })
}

/// The inputs the hash's fields give: position (symbol, side, entry, current price, age, PnL,
/// qty 1, no current stop), market state, and P1's stop distance as `risk_unit / entry_price`.
///
/// # Errors
/// The first field that is missing or unreadable.
pub fn published_input(f: &Fields, theta: Option<&Theta>) -> Result<HarvestInput, PublishedError> {
    let entry = number(f, "position_entry_price")?;
    let risk_unit = number(f, "risk_unit")?;
    Ok(HarvestInput {
        position: Position {
            symbol: f.get("symbol").cloned().unwrap_or_default(),
            side: side(f)?,
            entry_price: entry,
            current_price: Some(number(f, "position_current_price")?),
            peak_price: None,
            trough_price: None,
            age_sec: number(f, "position_age_sec")?,
            unrealized_pnl: number(f, "position_unrealized_pnl")?,
            current_sl: None,
            current_tp: None,
            qty: 1.0,
        },
        market_state: MarketState {
            sigma: number(f, "sigma")?,
            ts: number(f, "ts")?,
            p_trend: number(f, "p_trend")?,
            p_mr: number(f, "p_mr")?,
            p_chop: number(f, "p_chop")?,
        },
        p1_proposal: Some(P1Proposal {
            stop_dist_pct: risk_unit / entry,
            proposed_sl: None,
            proposed_tp: None,
        }),
        theta: theta.copied(),
    })
}

/// Reviews one published record (1-based `line`, or the position in a Redis listing).
///
/// With `proposal_json`: exact, as [`review_line`] reviews a proposal; the hash's own fields are
/// compared with the recomputation too (their diffs are named `hash.<field>`), and `theta` is
/// ignored (the audit has the theta used). Without: the partial check described in the module
/// docs, with `theta` (or the defaults), and the row's `unchecked` saying what was assumed.
/// The verdict is MATCH, MISMATCH or INVALID (a field unreadable: the error names it).
///
/// ```
/// use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict};
/// use harvest_features::reviewer::published::{record_from_proposal, review_fields};
/// let p = propose(&HarvestInput::default()).unwrap();
/// let mut f = record_from_proposal(&p, 1_700_000_000, true);
/// let row = review_fields(1, &f, &Tolerance::default(), None);
/// assert_eq!(row.verdict, Verdict::Match);
/// assert!(row.unchecked.is_empty());
/// f.remove("proposal_json");
/// let row = review_fields(1, &f, &Tolerance::default(), None);
/// assert_eq!(row.verdict, Verdict::Match);
/// assert!(row.unchecked.iter().any(|u| u.field == "theta"));
/// ```
pub fn review_fields(line: usize, f: &Fields, tol: &Tolerance, theta: Option<&Theta>) -> ReviewRow {
    let symbol = f.get("symbol").cloned().unwrap_or_default();
    let invalid = |e: PublishedError| {
        let mut row = ReviewRow::invalid(line, RecordKind::Published, e.to_string());
        row.symbol = symbol.clone();
        row.side = side(f).ok();
        row.recorded_action = f.get("harvest_action").cloned();
        row
    };
    let recorded = match recorded_output(f) {
        Ok(r) => r,
        Err(e) => return invalid(e),
    };
    if let Some(json) = f.get("proposal_json").filter(|j| !j.trim().is_empty()) {
        return exact(line, json, recorded, tol, symbol);
    }
    let mut input = match published_input(f, theta) {
        Ok(i) => i,
        Err(e) => return invalid(e),
    };
    let t = theta.copied().unwrap_or_default();
    let entry = input.position.entry_price;
    let be = be_plus_level(input.position.side, entry, &t);
    // No current stop is published. A recorded stop is checked against the BE+ level (the
    // kernel proposes it whenever R_net ≥ lock_R and no stop is set); a recorded `None` is made
    // consistent by a current stop at that level (BE+ then does not tighten it), and flagged
    // as unchecked when R_net reached lock_R.
    if recorded.new_sl_proposed.is_none() {
        input.position.current_sl = Some(be);
    }
    let mut unchecked = vec![
        Unchecked {
            field: "theta".to_string(),
            why: if theta.is_some() {
                "not published: checked against the theta given".to_string()
            } else {
                "not published: checked against the default theta".to_string()
            },
        },
        Unchecked {
            field: "risk_unit".to_string(),
            why: "P1's stop distance and the quantity are not published: taken as \
                  risk_unit / position_entry_price with qty 1"
                .to_string(),
        },
        Unchecked {
            field: "audit.tranche_weights".to_string(),
            why: "not published".to_string(),
        },
    ];
    let mut row = crate::reviewer::verify::review_record(
        line,
        RecordKind::Published,
        input,
        Some(recorded.clone()),
        tol,
    );
    row.symbol = symbol;
    if recorded.new_sl_proposed.is_none() && row.r_net.is_some_and(|r| r >= t.lock_r) {
        unchecked.push(Unchecked {
            field: "new_sl_proposed".to_string(),
            why: "R_net reached lock_R but the position's current stop is not published: \
                  whether the break-even-plus level would tighten it is unknown"
                .to_string(),
        });
    }
    row.unchecked = unchecked;
    row
}

fn exact(
    line: usize,
    json: &str,
    flat: RecordedOutput,
    tol: &Tolerance,
    symbol: String,
) -> ReviewRow {
    let Some(mut row) = review_line(line, json.as_bytes(), tol) else {
        return ReviewRow::invalid(line, RecordKind::Published, "proposal_json is empty".into());
    };
    row.kind = RecordKind::Published;
    if row.verdict == Verdict::Invalid {
        row.error = row
            .error
            .map(|e| PublishedError::ProposalJson { message: e }.to_string());
        if row.symbol.is_empty() {
            row.symbol = symbol;
        }
        return row;
    }
    // The hash's own fields against the recomputation (a publisher could write them wrong).
    if let Some(input) = &row.input {
        if let Ok(p) = propose(input) {
            let mut flat = flat;
            flat.k_components = flat.k_components.or(Some(p.audit.k_components));
            row.diffs
                .extend(compare(&flat, &p, tol).into_iter().map(|d| FieldDiff {
                    field: format!("hash.{}", d.field),
                    ..d
                }));
        }
    }
    if !row.diffs.is_empty() {
        row.verdict = Verdict::Mismatch;
    }
    if row.symbol.is_empty() {
        row.symbol = symbol;
    }
    row
}

/// Reviews one line of text holding a published record ([`parse_record`], then
/// [`review_fields`]); INVALID with the reason when it cannot be read.
///
/// ```
/// use harvest_kernel::{Tolerance, Verdict};
/// use harvest_features::reviewer::published::review_published;
/// let row = review_published(3, r#"{"harvest_action":"NONE"}"#, &Tolerance::default(), None);
/// assert_eq!(row.verdict, Verdict::Invalid);
/// assert_eq!(row.error.as_deref(), Some("new_sl_proposed is missing"));
/// ```
pub fn review_published(
    line: usize,
    text: &str,
    tol: &Tolerance,
    theta: Option<&Theta>,
) -> ReviewRow {
    match parse_record(text) {
        Ok(f) => review_fields(line, &f, tol, theta),
        Err(e) => ReviewRow::invalid(line, RecordKind::Published, e.to_string()),
    }
}

/// The shortest text Python's `float()` reads back to the same double (`nan`, `inf` spelled as
/// Python writes them).
fn py_float(v: f64) -> String {
    if v.is_nan() {
        "nan".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        let s = format!("{v:?}");
        s
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (proleptic Gregorian, UTC).
///
/// ```
/// use harvest_features::reviewer::published::iso_utc;
/// assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
/// assert_eq!(iso_utc(1_700_000_000), "2023-11-14T22:13:20Z");
/// ```
pub fn iso_utc(epoch: u64) -> String {
    harvest_market::format_iso(i64::try_from(epoch).unwrap_or(i64::MAX))
}

/// The record P2.5 publishes for proposal `p` at Unix time `epoch` (with `proposal_json` and
/// `kernel_version` when `with_json`; `symbol` from the position). The demo and the tests write
/// it; `harvest publish` writes the same fields.
///
/// ```
/// use harvest_kernel::{propose, HarvestInput};
/// use harvest_features::reviewer::published::record_from_proposal;
/// let f = record_from_proposal(&propose(&HarvestInput::default()).unwrap(), 0, false);
/// assert_eq!(f["new_sl_proposed"], "None");
/// assert_eq!(f["computed_at_utc"], "1970-01-01T00:00:00Z");
/// ```
pub fn record_from_proposal(p: &Proposal, epoch: u64, with_json: bool) -> Fields {
    let a = &p.audit;
    let k = &a.k_components;
    let codes: Vec<&str> = p.reason_codes.iter().map(|c| c.as_str()).collect();
    let mut f: Fields = [
        ("symbol", a.position.symbol.clone()),
        ("harvest_action", p.harvest_action.as_str().to_string()),
        (
            "new_sl_proposed",
            p.new_sl_proposed
                .map_or_else(|| "None".to_string(), py_float),
        ),
        ("R_net", py_float(p.r_net)),
        ("risk_unit", py_float(p.risk_unit)),
        ("cost_est", py_float(p.cost_est)),
        ("kill_score", py_float(p.kill_score)),
        ("reason_codes", codes.join(",")),
        ("k_regime_flip", py_float(k.regime_flip)),
        ("k_sigma_spike", py_float(k.sigma_spike)),
        ("k_ts_drop", py_float(k.ts_drop)),
        ("k_age_penalty", py_float(k.age_penalty)),
        ("sigma", py_float(a.market_state.sigma)),
        ("ts", py_float(a.market_state.ts)),
        ("p_trend", py_float(a.market_state.p_trend)),
        ("p_mr", py_float(a.market_state.p_mr)),
        ("p_chop", py_float(a.market_state.p_chop)),
        ("computed_at_utc", iso_utc(epoch)),
        ("last_update_epoch", epoch.to_string()),
        ("position_side", a.position.side.as_str().to_string()),
        ("position_age_sec", py_float(a.position.age_sec)),
        (
            "position_current_price",
            py_float(a.position.current_price.unwrap_or(a.position.entry_price)),
        ),
        ("position_entry_price", py_float(a.position.entry_price)),
        (
            "position_unrealized_pnl",
            py_float(a.position.unrealized_pnl),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if with_json {
        f.insert(
            "proposal_json".to_string(),
            serde_json::to_string(p).unwrap_or_default(),
        );
        f.insert(
            "kernel_version".to_string(),
            harvest_kernel::KERNEL_VERSION.to_string(),
        );
    }
    f
}

/// A symbol's published records over time (oldest first) as far as the Live view keeps them:
/// the K values for its sparkline, at most `cap`.
///
/// ```
/// use harvest_features::reviewer::published::push_capped;
/// let mut h = vec![0.1, 0.2];
/// push_capped(&mut h, 0.3, 2);
/// assert_eq!(h, [0.2, 0.3]);
/// ```
pub fn push_capped(history: &mut Vec<f64>, value: f64, cap: usize) {
    history.push(value);
    if history.len() > cap {
        let extra = history.len() - cap;
        history.drain(..extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::{propose, HarvestInput};

    fn input(pnl: f64, sl: Option<f64>, p_trend: f64, age: f64) -> HarvestInput {
        let mut i = HarvestInput::default();
        i.position.unrealized_pnl = pnl;
        i.position.current_sl = sl;
        i.position.age_sec = age;
        i.market_state.p_trend = p_trend;
        i.market_state.p_mr = (1.0 - p_trend) / 2.0;
        i.market_state.p_chop = (1.0 - p_trend) / 2.0;
        i
    }

    fn fields(i: &HarvestInput, json: bool) -> Fields {
        record_from_proposal(&propose(i).unwrap(), 1_700_000_000, json)
    }

    fn with(mut f: Fields, edits: &[(&str, Option<&str>)]) -> Fields {
        for (k, v) in edits {
            match v {
                Some(v) => f.insert(k.to_string(), v.to_string()),
                None => f.remove(*k),
            };
        }
        f
    }

    fn unchecked(row: &ReviewRow) -> Vec<&str> {
        row.unchecked.iter().map(|u| u.field.as_str()).collect()
    }

    #[test]
    fn exact_records_verify_or_name_the_diff() {
        let base = input(5.0, Some(99.0), 0.6, 3600.0);
        let tol = Tolerance::default();
        // (record, verdict, diff fields)
        let json_r = {
            let mut p = propose(&base).unwrap();
            p.r_net += 1.0;
            serde_json::to_string(&p).unwrap()
        };
        let cases: Vec<(&str, Fields, Verdict, Vec<&str>)> = vec![
            ("own output", fields(&base, true), Verdict::Match, vec![]),
            (
                "killed, old, no trend",
                fields(&input(1.0, None, 0.05, 80_000.0), true),
                Verdict::Match,
                vec![],
            ),
            (
                "hash field edited",
                with(fields(&base, true), &[("kill_score", Some("0.9"))]),
                Verdict::Mismatch,
                vec!["hash.kill_score"],
            ),
            (
                "hash action edited",
                with(
                    fields(&base, true),
                    &[("harvest_action", Some("PARTIAL_75"))],
                ),
                Verdict::Mismatch,
                vec!["hash.harvest_action"],
            ),
            (
                "proposal_json edited",
                with(fields(&base, true), &[("proposal_json", Some(&json_r))]),
                Verdict::Mismatch,
                vec!["R_net"],
            ),
        ];
        for (name, f, verdict, diffs) in cases {
            let row = review_fields(1, &f, &tol, None);
            assert_eq!(row.verdict, verdict, "{name}: {:?}", row.diffs);
            let got: Vec<&str> = row.diffs.iter().map(|d| d.field.as_str()).collect();
            assert_eq!(got, diffs, "{name}");
            assert!(
                row.unchecked.is_empty(),
                "{name}: exact has nothing unchecked"
            );
            assert_eq!(row.kind, RecordKind::Published);
            assert_eq!(row.symbol, "BTCUSDT");
        }
    }

    #[test]
    fn partial_records_check_what_they_can() {
        let tol = Tolerance::default();
        let t_custom = Theta {
            cost_bps: 20.0,
            ..Theta::default()
        };
        // (name, input, edits, theta, verdict, diff fields, unchecked extra)
        type Case<'a> = (
            &'a str,
            HarvestInput,
            Vec<(&'a str, Option<&'a str>)>,
            Option<Theta>,
            Verdict,
            Vec<&'a str>,
            bool,
        );
        let cases: Vec<Case> = vec![
            (
                "flat, no lock",
                input(0.5, Some(99.0), 0.6, 3600.0),
                vec![],
                None,
                Verdict::Match,
                vec![],
                false,
            ),
            (
                "partial 25 with lock",
                input(5.0, Some(99.0), 0.6, 3600.0),
                vec![],
                None,
                Verdict::Match,
                vec![],
                false,
            ),
            (
                "lock, stop already tight",
                input(5.0, Some(100.5), 0.6, 3600.0),
                vec![],
                None,
                Verdict::Match,
                vec![],
                true,
            ),
            (
                "killed",
                input(1.0, None, 0.05, 80_000.0),
                vec![],
                None,
                Verdict::Match,
                vec![],
                false,
            ),
            (
                "stop off the BE+ level",
                input(5.0, Some(99.0), 0.6, 3600.0),
                vec![("new_sl_proposed", Some("100.5"))],
                None,
                Verdict::Mismatch,
                vec!["new_sl_proposed"],
                false,
            ),
            (
                "stop where R_net is below lock_R",
                input(0.5, Some(99.0), 0.6, 3600.0),
                vec![("new_sl_proposed", Some("100.2"))],
                None,
                Verdict::Mismatch,
                vec!["new_sl_proposed"],
                false,
            ),
            (
                "K edited",
                input(0.5, Some(99.0), 0.6, 3600.0),
                vec![("kill_score", Some("0.7"))],
                None,
                Verdict::Mismatch,
                vec!["kill_score"],
                false,
            ),
            (
                "component edited",
                input(0.5, Some(99.0), 0.6, 3600.0),
                vec![("k_age_penalty", Some("0.9"))],
                None,
                Verdict::Mismatch,
                vec!["audit.k_components.age_penalty"],
                false,
            ),
            (
                "other theta than the publisher's",
                input(5.0, Some(99.0), 0.6, 3600.0),
                vec![],
                Some(t_custom),
                Verdict::Mismatch,
                vec!["R_net", "cost_est"],
                false,
            ),
        ];
        for (name, i, edits, theta, verdict, diffs, sl_unchecked) in cases {
            let f = with(fields(&i, false), &edits);
            let row = review_fields(4, &f, &tol, theta.as_ref());
            assert_eq!(row.verdict, verdict, "{name}: {:?}", row.diffs);
            let got: Vec<&str> = row.diffs.iter().map(|d| d.field.as_str()).collect();
            assert_eq!(got, diffs, "{name}");
            let mut want = vec!["theta", "risk_unit", "audit.tranche_weights"];
            if sl_unchecked {
                want.push("new_sl_proposed");
            }
            assert_eq!(unchecked(&row), want, "{name}");
            assert_eq!(row.line, 4);
        }
    }

    #[test]
    fn unreadable_fields_are_named() {
        let good = fields(&input(0.5, Some(99.0), 0.6, 3600.0), false);
        type Edits<'a> = Vec<(&'a str, Option<&'a str>)>;
        let cases: Vec<(Edits, &str)> = vec![
            (vec![("sigma", Some("abc"))], "sigma = \"abc\" is not a number"),
            (vec![("R_net", None)], "R_net is missing"),
            (vec![("position_side", Some("UP"))], "position_side = \"UP\" is not one of LONG, SHORT"),
            (
                vec![("harvest_action", Some("SELL_ALL"))],
                "harvest_action = \"SELL_ALL\" is not one of NONE, PARTIAL_25, PARTIAL_50, PARTIAL_75, FULL_CLOSE_PROPOSED",
            ),
            (vec![("new_sl_proposed", Some("soon"))], "new_sl_proposed = \"soon\" is not a number"),
            (vec![("position_entry_price", Some("-1"))], "position.entry_price = -1 is out of range"),
            (vec![("proposal_json", Some("{\"audit\": 1}"))], "proposal_json: "),
        ];
        for (edits, want) in cases {
            let row = review_fields(2, &with(good.clone(), &edits), &Tolerance::default(), None);
            assert_eq!(row.verdict, Verdict::Invalid, "{edits:?}");
            let err = row.error.unwrap_or_default();
            assert!(err.starts_with(want), "{edits:?}: {err}");
        }
    }

    #[test]
    fn record_text_forms() {
        let f = fields(&HarvestInput::default(), true);
        let object = serde_json::to_string(&f).unwrap();
        let flat: Vec<&str> = f
            .iter()
            .flat_map(|(k, v)| [k.as_str(), v.as_str()])
            .collect();
        let flat = serde_json::to_string(&flat).unwrap();
        for text in [&object, &flat] {
            assert!(looks_published(text), "{text}");
            assert_eq!(parse_record(text).unwrap(), f);
            let row = review_published(1, text, &Tolerance::default(), None);
            assert_eq!(row.verdict, Verdict::Match);
        }
        for bad in ["[1, 2]", "[\"a\"]", "3", "{\"a\": [1]}"] {
            let e = parse_record(bad).unwrap_err();
            assert!(matches!(e, PublishedError::NotRecord { .. }), "{bad}: {e}");
        }
        let e = parse_record("{\"harvest_action\": \"NO").unwrap_err();
        assert!(e.to_string().starts_with("not JSON: "), "{e}");
        // A file that is one flat record (redis-cli -2 --json) is one record, not an array of
        // records; a file of records as `harvest snapshot` writes them, through the loader.
        let (rows, _) = crate::reviewer::verify::review_text(&flat, &Tolerance::default());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].verdict, Verdict::Match);
        let mut loader = crate::reviewer::Loader::new(Tolerance::default());
        loader.feed(format!("{object}\n{object}\n").as_bytes());
        loader.finish();
        let rows = loader.step(|| true);
        assert_eq!(
            rows.iter().map(|r| (r.line, r.kind)).collect::<Vec<_>>(),
            [(1, RecordKind::Published), (2, RecordKind::Published)]
        );
        // Through the reviewer's own entry point (the loader and `harvest verify` use it).
        let row = review_line(9, object.as_bytes(), &Tolerance::default()).unwrap();
        assert_eq!(
            (row.line, row.kind, row.verdict),
            (9, RecordKind::Published, Verdict::Match)
        );
        let proposal = serde_json::to_string(&propose(&HarvestInput::default()).unwrap()).unwrap();
        assert!(!looks_published(&proposal));
    }

    #[test]
    fn python_float_text_reads_back() {
        for v in [0.1, 1e-9, 123456.789, -0.0, 1e300, 2.5e-7] {
            let s = py_float(v);
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{s}");
        }
        assert_eq!(py_float(f64::NAN), "nan");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}
