//! The published harvest proposal, `quantum:harvest:proposal:<SYM>` (and its stream entry): the
//! one list of fields, the one writer (numbers as Python's `str(float)`, `None` for no stop,
//! `computed_at_utc` as `datetime.utcnow().isoformat()`), and the one reader (a record as a
//! JSON object of string fields, its numbers, its recorded outputs, the inputs its fields give).
//!
//! The publisher writes it, `harvest verify` / `snapshot` / `serve` and the dashboard read it.

use serde::{Deserialize, Serialize};

use harvest_kernel::{
    HarvestAction, HarvestInput, KComponents, MarketState, P1Proposal, Position, Proposal,
    RecordedOutput, Theta, KERNEL_VERSION,
};

use crate::fields::{clip, Fields};
use crate::keys::{symbol_of, PROPOSAL_PREFIX};
use crate::num::{parse_py_float, py_float};
use crate::position::running_side;
use crate::time::{iso_naive, parse_iso};

/// The fields of the published hash, in the order they are written: the running publisher's 23,
/// then Harvest Lab's `proposal_json` (the kernel's proposal with its audit) and `kernel_version`.
pub const FIELDS: [&str; HASH_FIELDS] = [
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

/// The fields of [`FIELDS`] that hold text; every other one holds a number as Python's float
/// text (`new_sl_proposed` may be `None`).
pub const TEXT_FIELDS: [&str; 6] = [
    "harvest_action",
    "reason_codes",
    "computed_at_utc",
    "position_side",
    "proposal_json",
    "kernel_version",
];

/// The number of fields Harvest Lab writes (the stream entry adds `symbol`).
pub const HASH_FIELDS: usize = 25;

/// The number of fields the running publisher writes (the first of [`FIELDS`]).
pub const RUNNING_FIELDS: usize = 23;

/// The fields the publish decision reads back from the published hash.
pub const DECISION_FIELDS: [&str; 4] = [
    "harvest_action",
    "new_sl_proposed",
    "kill_score",
    "computed_at_utc",
];

/// Fields a reader adds to a record: `key` (the hash it was read from), `symbol` (from the key
/// when the hash has none; the stream entry has its own), `stream_id` (a stream entry's id),
/// `read_error` (why the key could not be read as a record: a key of the wrong type).
pub const READER_FIELDS: [&str; 4] = ["key", "symbol", "stream_id", "read_error"];

/// When a proposal was computed: `computed_at_utc` and `last_update_epoch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// ISO 8601, naive UTC, as the running publisher writes it.
    pub computed_at_utc: String,
    /// Whole Unix seconds.
    pub epoch: i64,
}

impl Stamp {
    /// The stamp of a time in Unix microseconds.
    ///
    /// ```
    /// use harvest_records::published::Stamp;
    /// let s = Stamp::at_micros(1_767_225_610_250_000);
    /// assert_eq!(s.computed_at_utc, "2026-01-01T00:00:10.250000");
    /// assert_eq!(s.epoch, 1_767_225_610);
    /// ```
    pub fn at_micros(micros: i64) -> Stamp {
        Stamp {
            computed_at_utc: iso_naive(micros),
            epoch: micros.div_euclid(1_000_000),
        }
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "None".to_string(), py_float)
}

/// The published hash's fields for a proposal, in [`FIELDS`] order. `side_text` is the
/// position's side as its record gave it (written as given, e.g. `BUY`); the current price is
/// the audit's (0.0 when absent, as the running publisher writes a position without one).
///
/// ```
/// use harvest_kernel::{propose, HarvestInput};
/// use harvest_records::published::{hash_fields, Stamp, HASH_FIELDS};
/// let p = propose(&HarvestInput::default()).unwrap();
/// let f = hash_fields(&p, "BUY", &Stamp::at_micros(0));
/// assert_eq!(f.len(), HASH_FIELDS);
/// assert_eq!(f[1], ("new_sl_proposed", "None".to_string()));
/// assert_eq!(f[18], ("position_side", "BUY".to_string()));
/// ```
pub fn hash_fields(p: &Proposal, side_text: &str, stamp: &Stamp) -> Vec<(&'static str, String)> {
    let a = &p.audit;
    let reasons: Vec<&str> = p.reason_codes.iter().map(|r| r.as_str()).collect();
    let json = serde_json::to_string(p).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    let v = [
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
        stamp.computed_at_utc.clone(),
        stamp.epoch.to_string(),
        side_text.to_string(),
        py_float(a.position.age_sec),
        py_float(a.position.current_price.unwrap_or(0.0)),
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

/// A whole record for proposal `p` at Unix second `epoch`, as a reader gets it: `symbol` (the
/// audit's), the fields Harvest Lab publishes, or with `with_json = false` only the running
/// publisher's 23. Tests, the demo and the benchmarks seed Redis with it.
///
/// ```
/// use harvest_kernel::{propose, HarvestInput};
/// use harvest_records::published::record;
/// let f = record(&propose(&HarvestInput::default()).unwrap(), 0, false);
/// assert_eq!(f["new_sl_proposed"], "None");
/// assert_eq!(f["computed_at_utc"], "1970-01-01T00:00:00");
/// assert!(!f.contains_key("proposal_json"));
/// ```
pub fn record(p: &Proposal, epoch: i64, with_json: bool) -> Fields {
    let n = if with_json {
        HASH_FIELDS
    } else {
        RUNNING_FIELDS
    };
    let stamp = Stamp::at_micros(epoch.saturating_mul(1_000_000));
    let mut f: Fields = hash_fields(p, p.audit.position.side.as_str(), &stamp)
        .into_iter()
        .take(n)
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    f.insert("symbol".to_string(), p.audit.position.symbol.clone());
    f
}

/// A hash read at `key` as a record: `None` when it is empty (no such hash), else its fields
/// with `key` and (when the hash has none) `symbol` from the key.
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::published::named;
/// let f = named("quantum:harvest:proposal:BTCUSDT", fields(&[("R_net", "1.0")])).unwrap();
/// assert_eq!((f["symbol"].as_str(), f["key"].as_str()), ("BTCUSDT", "quantum:harvest:proposal:BTCUSDT"));
/// ```
pub fn named(key: &str, mut f: Fields) -> Option<Fields> {
    if f.is_empty() {
        return None;
    }
    let sym = key.strip_prefix(PROPOSAL_PREFIX).unwrap_or(key);
    f.entry("symbol".to_string())
        .or_insert_with(|| sym.to_string());
    f.insert("key".to_string(), key.to_string());
    Some(f)
}

/// What was last published for a symbol, as read back from its hash ([`DECISION_FIELDS`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastPublished {
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
/// proposal is then published in full). `computed_at_utc` may be naive (the running
/// publisher's) or carry an offset (ours before the naive format).
///
/// ```
/// use harvest_records::published::read_last;
/// let v = [Some("NONE"), Some("None"), Some("0.25"), Some("2026-01-01T00:00:10")];
/// let p = read_last(&v.map(|s| s.map(String::from))).unwrap();
/// assert_eq!((p.new_sl, p.published_epoch), (None, 1767225610.0));
/// ```
pub fn read_last(values: &[Option<String>; 4]) -> Option<LastPublished> {
    let action = HarvestAction::parse(values[0].as_deref()?)?;
    let new_sl = match values[1].as_deref()?.trim() {
        "None" | "" => None,
        t => Some(parse_py_float(t).filter(|v| v.is_finite())?),
    };
    let kill_score = parse_py_float(values[2].as_deref()?).filter(|v| v.is_finite())?;
    let published_epoch = parse_iso(values[3].as_deref()?)?;
    Some(LastPublished {
        action,
        new_sl,
        kill_score,
        published_epoch,
    })
}

/// A position record at hand beside a published record (`harvest snapshot`, `verify --redis`,
/// `serve`): its key (or stream entry) and fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionContext {
    /// `quantum:state:positions:<SYM>` or `quantum:stream:execution entry <id>`.
    pub key: String,
    /// The record's fields as read.
    pub fields: Fields,
}

/// A published record as readers pass it on: its fields, and the position record read with it
/// when there is one (JSON: the fields, plus `position_record: {key, fields}`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// The published fields, with the reader's ([`READER_FIELDS`]).
    pub fields: Fields,
    /// The position record of the same symbol, read at the same time.
    pub position: Option<PositionContext>,
}

/// The JSON name of [`Record::position`].
pub const POSITION_RECORD: &str = "position_record";

impl Record {
    /// A record of fields only.
    pub fn of(fields: Fields) -> Record {
        Record {
            fields,
            position: None,
        }
    }

    /// The symbol (`symbol` field), if any.
    pub fn symbol(&self) -> Option<&str> {
        self.fields
            .get("symbol")
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// One JSON object: the fields in name order, `position_record` among them when present. This
    /// is a line of `harvest snapshot` and a record of the Live view's stream.
    ///
    /// ```
    /// use harvest_records::fields::fields;
    /// use harvest_records::published::{parse_record, PositionContext, Record};
    /// let r = Record {
    ///     fields: fields(&[("harvest_action", "NONE")]),
    ///     position: Some(PositionContext { key: "k".into(), fields: fields(&[("side", "LONG")]) }),
    /// };
    /// let json = r.to_json();
    /// assert_eq!(json, r#"{"harvest_action":"NONE","position_record":{"fields":{"side":"LONG"},"key":"k"}}"#);
    /// assert_eq!(parse_record(&json).unwrap(), r);
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Written directly (no intermediate JSON value: a snapshot of 10,000 records is 20 MB): the
/// fields in name order with `position_record` (`{"fields", "key"}`) at its place among them.
impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Position<'a>(&'a PositionContext);
        impl Serialize for Position<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("fields", &self.0.fields)?;
                m.serialize_entry("key", &self.0.key)?;
                m.end()
            }
        }
        let mut pending = self.position.as_ref();
        let mut m = s.serialize_map(None)?;
        for (k, v) in &self.fields {
            if let Some(p) = pending.filter(|_| k.as_str() >= POSITION_RECORD) {
                m.serialize_entry(POSITION_RECORD, &Position(p))?;
                pending = None;
                if k == POSITION_RECORD {
                    continue;
                }
            }
            m.serialize_entry(k, v)?;
        }
        if let Some(p) = pending {
            m.serialize_entry(POSITION_RECORD, &Position(p))?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        record_of_value(v).map_err(serde::de::Error::custom)
    }
}

/// Why a published record cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum PublishedError {
    /// The text is not JSON at all.
    #[error("not JSON: {}", harvest_kernel::echo::clip_message(.message))]
    NotJson {
        /// The parser's message.
        message: String,
    },
    /// The text is not a JSON object of string fields (nor a flat `[name, value, …]` array).
    #[error("not a published record: {}", harvest_kernel::echo::clip_message(.message))]
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
    #[error("{field} = {:?} is not a number", clip(.value))]
    NotNumber {
        /// The field's name.
        field: String,
        /// Its value as published.
        value: String,
    },
    /// A field outside its spelled values.
    #[error("{field} = {:?} is not one of {allowed}", clip(.value))]
    NotAllowed {
        /// The field's name.
        field: String,
        /// Its value as published.
        value: String,
        /// The values it may have.
        allowed: String,
    },
    /// `proposal_json` is there but is not a proposal with its audit.
    #[error("proposal_json: {}", harvest_kernel::echo::clip_message(.message))]
    ProposalJson {
        /// The parser's message, with the JSON path of the problem.
        message: String,
    },
}

/// Whether `text` looks like a published record (a cheap byte scan; [`parse_record`] decides):
/// it names `harvest_action` (or is a reader's note of a key it could not read, `read_error`)
/// but carries no `audit` or `position` object of its own.
///
/// ```
/// use harvest_records::published::looks_published;
/// assert!(looks_published(r#"{"harvest_action":"NONE","R_net":"0.1"}"#));
/// assert!(looks_published(r#"["harvest_action","NONE"]"#));
/// assert!(!looks_published(r#"{"harvest_action":"NONE","audit":{}}"#));
/// ```
pub fn looks_published(text: &str) -> bool {
    let has = |key: &[u8]| text.as_bytes().windows(key.len()).any(|w| w == key);
    (has(b"\"harvest_action\"") || has(b"\"read_error\""))
        && !has(b"\"audit\"")
        && !has(b"\"position\"")
}

fn not_record(message: String) -> PublishedError {
    PublishedError::NotRecord { message }
}

fn scalar(name: &str, v: &serde_json::Value) -> Result<String, PublishedError> {
    match v {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        serde_json::Value::Null => Ok("None".to_string()),
        _ => Err(not_record(format!("field {} is not a string", clip(name)))),
    }
}

fn context(v: &serde_json::Value) -> Result<PositionContext, PublishedError> {
    serde_json::from_value(v.clone()).map_err(|e| {
        not_record(format!(
            "{POSITION_RECORD} must be {{\"key\": text, \"fields\": {{name: text}}}}: {e}"
        ))
    })
}

fn record_of_value(value: serde_json::Value) -> Result<Record, PublishedError> {
    match value {
        serde_json::Value::Object(map) => {
            let mut r = Record::default();
            for (k, v) in &map {
                if k == POSITION_RECORD && v.is_object() {
                    r.position = Some(context(v)?);
                } else {
                    r.fields.insert(k.clone(), scalar(k, v)?);
                }
            }
            Ok(r)
        }
        serde_json::Value::Array(items) if items.len() % 2 == 0 => items
            .chunks(2)
            .map(|kv| match &kv[0] {
                serde_json::Value::String(k) => Ok((k.clone(), scalar(k, &kv[1])?)),
                other => Err(not_record(format!(
                    "field name {} is not a string",
                    clip(&other.to_string())
                ))),
            })
            .collect::<Result<Fields, _>>()
            .map(Record::of),
        serde_json::Value::Array(items) => Err(not_record(format!(
            "an array of {} items; a flat record has name, value pairs",
            items.len()
        ))),
        _ => Err(not_record(
            "expected a JSON object of string fields, as HGETALL gives them".to_string(),
        )),
    }
}

/// Reads one record: a JSON object of string fields (`redis-cli --json HGETALL`, `harvest
/// snapshot`, with its `position_record` when there is one) or a flat array `[name, value, …]`
/// (`redis-cli -2 --json HGETALL`). Numbers and booleans are taken as their JSON text; `null`
/// as the literal `None`.
///
/// # Errors
/// [`PublishedError::NotJson`], or [`PublishedError::NotRecord`] for anything else (nested
/// objects, an odd array).
///
/// ```
/// use harvest_records::published::parse_record;
/// let r = parse_record(r#"["R_net","1.5","harvest_action","NONE"]"#).unwrap();
/// assert_eq!(r.fields["R_net"], "1.5");
/// assert!(parse_record(r#"{"a": {"b": 1}}"#).is_err());
/// ```
pub fn parse_record(text: &str) -> Result<Record, PublishedError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| PublishedError::NotJson {
            message: e.to_string(),
        })?;
    record_of_value(value)
}

fn field<'a>(f: &'a Fields, name: &str) -> Result<&'a str, PublishedError> {
    f.get(name)
        .map(|s| s.trim())
        .ok_or_else(|| PublishedError::Missing {
            field: name.to_string(),
        })
}

/// A numeric field, read as Python's `float()` reads it (`1.5`, `1e-09`, `nan`, `inf`).
///
/// # Errors
/// [`PublishedError::Missing`] or [`PublishedError::NotNumber`].
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::published::number;
/// let f = fields(&[("R_net", "2.5e-1")]);
/// assert_eq!(number(&f, "R_net"), Ok(0.25));
/// assert!(number(&f, "kill_score").is_err());
/// ```
pub fn number(f: &Fields, name: &str) -> Result<f64, PublishedError> {
    let s = field(f, name)?;
    parse_py_float(s).ok_or_else(|| PublishedError::NotNumber {
        field: name.to_string(),
        value: s.to_string(),
    })
}

/// `new_sl_proposed`: the literal `None` (or empty, or `null`) for no stop, else a number.
///
/// # Errors
/// As [`number`].
pub fn optional_number(f: &Fields, name: &str) -> Result<Option<f64>, PublishedError> {
    match field(f, name)? {
        "None" | "" | "null" => Ok(None),
        _ => number(f, name).map(Some),
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

/// The inputs a running-system record's fields give, computed as that publisher computed them:
/// the side as it reads one (LONG only for exactly `LONG`), entry, current price, age, PnL, qty
/// 1, no current stop; the market state; P1's stop distance as `risk_unit / entry_price`.
///
/// # Errors
/// The first field that is missing or unreadable.
///
/// ```
/// use harvest_kernel::{propose, HarvestInput, Side};
/// use harvest_records::published::{record, running_input};
/// let mut f = record(&propose(&HarvestInput::default()).unwrap(), 0, false);
/// f.insert("position_side".into(), "BUY".into());
/// assert_eq!(running_input(&f, None).unwrap().position.side, Side::Short);
/// ```
pub fn running_input(f: &Fields, theta: Option<&Theta>) -> Result<HarvestInput, PublishedError> {
    let entry = number(f, "position_entry_price")?;
    let risk_unit = number(f, "risk_unit")?;
    let side_text = f
        .get("position_side")
        .ok_or_else(|| PublishedError::Missing {
            field: "position_side".to_string(),
        })?;
    Ok(HarvestInput {
        position: Position {
            symbol: f.get("symbol").cloned().unwrap_or_default(),
            side: running_side(side_text),
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

/// The symbol a record's `key` names, when it has a `key` of the proposal hashes.
pub fn key_symbol(f: &Fields) -> Option<&str> {
    f.get("key")
        .filter(|k| k.starts_with(PROPOSAL_PREFIX))
        .and_then(|k| symbol_of(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::propose;

    /// The record's JSON as an object built field by field (what `to_json` wrote before it
    /// serialised directly): the same text, `position_record` at its place among the fields.
    #[test]
    fn record_json_is_the_object_of_its_fields_and_position() {
        let reference = |r: &Record| {
            let mut m = serde_json::Map::new();
            for (k, v) in &r.fields {
                m.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
            if let Some(p) = &r.position {
                m.insert(
                    POSITION_RECORD.to_string(),
                    serde_json::json!({ "key": p.key, "fields": p.fields }),
                );
            }
            serde_json::Value::Object(m).to_string()
        };
        let pos = Some(PositionContext {
            key: "quantum:state:positions:X".into(),
            fields: crate::fields::fields(&[("side", "LONG"), ("entry_price", "1\"0")]),
        });
        let p = propose(&HarvestInput::default()).unwrap();
        let full = record(&p, 1_700_000_000, true);
        for (fields, position) in [
            (Fields::new(), None),
            (Fields::new(), pos.clone()),
            (
                crate::fields::fields(&[("a", "1"), ("zz", "\u{1}")]),
                pos.clone(),
            ),
            (
                crate::fields::fields(&[("position_record", "x"), ("q", "y")]),
                pos.clone(),
            ),
            (crate::fields::fields(&[("position_record", "x")]), None),
            (
                crate::fields::fields(&[("position", "p"), ("position_recordz", "z")]),
                pos.clone(),
            ),
            (full.clone(), None),
            (full, pos),
        ] {
            let r = Record { fields, position };
            assert_eq!(r.to_json(), reference(&r));
            assert_eq!(
                serde_json::to_string(&vec![&r]).unwrap(),
                format!("[{}]", reference(&r))
            );
        }
    }

    #[test]
    fn hash_has_every_field_parseable_by_python_rules() {
        let p = propose(&HarvestInput::default()).unwrap();
        let f = hash_fields(&p, "LONG", &Stamp::at_micros(1_767_225_600_000_000));
        let names: Vec<&str> = f.iter().map(|(k, _)| *k).collect();
        assert_eq!(names, FIELDS);
        let get = |k: &str| f.iter().find(|(n, _)| *n == k).unwrap().1.clone();
        assert_eq!(get("new_sl_proposed"), "None");
        let numbers = FIELDS
            .iter()
            .filter(|k| !TEXT_FIELDS.contains(k) && **k != "new_sl_proposed");
        assert_eq!(numbers.clone().count(), 18);
        for k in numbers {
            assert!(parse_py_float(&get(k)).is_some(), "{k} = {}", get(k));
        }
        assert_eq!(get("R_net").parse::<f64>().unwrap(), p.r_net);
        assert_eq!(get("harvest_action"), "NONE");
        assert_eq!(get("computed_at_utc"), "2026-01-01T00:00:00");
        assert_eq!(get("last_update_epoch"), "1767225600");
        let back: Proposal = serde_json::from_str(&get("proposal_json")).unwrap();
        assert_eq!(back, p);
        let s = stream_fields("BTCUSDT", &f);
        assert_eq!(s[0], ("symbol", "BTCUSDT".to_string()));
        assert_eq!(s.len(), HASH_FIELDS + 1);
    }

    #[test]
    fn last_published_reads_back_what_was_written() {
        let mut input = HarvestInput::default();
        input.position.unrealized_pnl = 5.0;
        let p = propose(&input).unwrap();
        assert!(p.new_sl_proposed.is_some());
        let f = hash_fields(&p, "LONG", &Stamp::at_micros(1_767_225_600_250_000));
        let get = |k: &str| Some(f.iter().find(|(n, _)| *n == k).unwrap().1.clone());
        let back = read_last(&DECISION_FIELDS.map(get)).unwrap();
        assert_eq!(back.action, p.harvest_action);
        assert_eq!(back.new_sl, p.new_sl_proposed);
        assert_eq!(back.kill_score, p.kill_score);
        assert_eq!(back.published_epoch, 1767225600.25);
        let ok = ["NONE", "None", "0.5", "2026-01-01T00:00:00+00:00"];
        assert!(read_last(&ok.map(|s| Some(s.to_string()))).is_some());
        for i in 0..4 {
            let mut v = ok.map(|s| Some(s.to_string()));
            v[i] = None;
            assert_eq!(read_last(&v), None, "missing {i}");
            v[i] = Some("garbage".into());
            assert_eq!(read_last(&v), None, "garbage {i}");
        }
    }

    #[test]
    fn record_text_forms() {
        let f = record(&propose(&HarvestInput::default()).unwrap(), 7, true);
        for text in &crate::samples::record_texts(&f) {
            assert!(looks_published(text), "{text}");
            assert_eq!(parse_record(text).unwrap(), Record::of(f.clone()));
        }
        for bad in [
            "[1, 2]",
            "[\"a\"]",
            "3",
            "{\"a\": [1]}",
            "{\"position_record\": {\"key\": 1}}",
        ] {
            let e = parse_record(bad).unwrap_err();
            assert!(matches!(e, PublishedError::NotRecord { .. }), "{bad}: {e}");
        }
        let e = parse_record("{\"harvest_action\": \"NO").unwrap_err();
        assert!(e.to_string().starts_with("not JSON: "), "{e}");
        let e = PublishedError::NotNumber {
            field: "R_net".into(),
            value: "x".repeat(300),
        };
        assert!(e.to_string().len() < 130, "{e}");
    }
}
