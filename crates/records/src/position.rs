//! Position records as the running system's services write them, read as its P2.5 reads them
//! (with Harvest Lab's deliberate fixes), and the facts that publisher ignores.
//!
//! Writers (read in the running system's repository; the field sets are quoted in the tests):
//! - the apply layer, on entry: `symbol, side, quantity, entry_price, leverage, stop_loss,
//!   take_profit, plan_id, created_at, atr_value, volatility_factor, entry_risk_usdt,
//!   risk_price, risk_missing, unrealized_pnl` (no `age_sec`, no `current_price`; `stop_loss`
//!   `"0"` when none);
//! - the exchange sync (`sync_from_exchange`): `symbol, side, position_amt, quantity,
//!   entry_price, unrealized_pnl, leverage, ts_epoch, source` (a closed position keeps its hash
//!   with `quantity` `"0"`);
//! - P3.3's exchange snapshot: the same plus `mark_price`, `current_price`, side `FLAT` when the
//!   amount is 0.
//!
//! How the running P2.5 reads a hash: `side` default `LONG`, `entry_price`, `age_sec`,
//! `unrealized_pnl` default 0, `current_price` default 0 (a stream entry: the entry price),
//! `peak_price` / `trough_price` default the current price field (or 0), `current_sl` /
//! `current_tp` only when non-empty; `qty` / `quantity`, `created_at`, `ts_epoch` and
//! `stop_loss` are not read. Harvest Lab reads the same, except (deliberately, see the README's
//! table of differences): `"None"` is read as absent, `FLAT` / `NONE` / `CLOSED` / empty side is
//! no position, `BUY` / `long` (any case) is LONG and `SELL` SHORT, other side text is refused,
//! a missing or unreadable `entry_price` is an error naming it.

use harvest_kernel::{Position, Side};

use crate::fields::{clip, is_none_text, optional, FieldError, Fields};
use crate::keys::EXECUTION_STREAM;
use crate::num::parse_finite;

/// Where a position record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A hash `quantum:state:positions:<SYM>`.
    Hash,
    /// An entry of `quantum:stream:execution`.
    Stream,
}

/// How a side text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SideReading {
    /// `LONG` or `BUY`, any case.
    Long,
    /// `SHORT` or `SELL`, any case.
    Short,
    /// `FLAT`, `NONE`, `CLOSED` or empty: no position.
    Flat,
}

/// Reads a side text (blanks around it ignored); `None` for anything else.
///
/// ```
/// use harvest_records::position::{read_side, SideReading};
/// assert_eq!(read_side(" buy "), Some(SideReading::Long));
/// assert_eq!(read_side("Sell"), Some(SideReading::Short));
/// assert_eq!(read_side("closed"), Some(SideReading::Flat));
/// assert_eq!(read_side("UP"), None);
/// ```
pub fn read_side(text: &str) -> Option<SideReading> {
    match text.trim().to_ascii_uppercase().as_str() {
        "LONG" | "BUY" => Some(SideReading::Long),
        "SHORT" | "SELL" => Some(SideReading::Short),
        "" | "FLAT" | "NONE" | "CLOSED" => Some(SideReading::Flat),
        _ => None,
    }
}

/// The side the running P2.5 computes with: LONG only for exactly `LONG`, SHORT for any other
/// text (`BUY`, `long`, `FLAT`).
///
/// ```
/// use harvest_kernel::Side;
/// use harvest_records::position::running_side;
/// assert_eq!(running_side("LONG"), Side::Long);
/// assert_eq!(running_side("BUY"), Side::Short);
/// ```
pub fn running_side(text: &str) -> Side {
    if text == "LONG" {
        Side::Long
    } else {
        Side::Short
    }
}

/// Facts a position record carries that the running P2.5 does not read.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Facts {
    /// When the position was opened (Unix seconds) and the field it came from (`created_at`,
    /// `ts_epoch`).
    pub opened_at: Option<(&'static str, f64)>,
    /// The stop in force (`stop_loss` > 0; the apply layer writes `"0"` for none).
    pub stop_loss: Option<f64>,
    /// The size (`quantity`, else `qty`, else |`position_amt`|) and the field it came from.
    pub quantity: Option<(&'static str, f64)>,
}

/// A position as the running P2.5 reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionRecord {
    /// The Redis key, or `quantum:stream:execution entry <id>`.
    pub key: String,
    /// Hash or stream entry.
    pub origin: Origin,
    /// The side text as given (published as `position_side`).
    pub side_text: String,
    /// The side computed with (LONG / SHORT).
    pub side: Side,
    /// Entry price.
    pub entry_price: f64,
    /// Current price (hash default 0.0, stream default the entry price).
    pub current_price: f64,
    /// Peak price (audit only).
    pub peak_price: f64,
    /// Trough price (audit only).
    pub trough_price: f64,
    /// `age_sec` as recorded (`None`: absent, 0 is used).
    pub age_sec: Option<f64>,
    /// Unrealized PnL (default 0).
    pub unrealized_pnl: f64,
    /// `current_sl`.
    pub current_sl: Option<f64>,
    /// `current_tp`.
    pub current_tp: Option<f64>,
    /// What the running publisher ignores.
    pub facts: Facts,
    /// The record's `symbol` field when it names another symbol than the key (the key's wins).
    pub other_symbol: Option<String>,
}

/// What a position record comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum PositionRead {
    /// An open position.
    Open(Box<PositionRecord>),
    /// The record says there is no position (`side` FLAT, NONE, CLOSED or empty).
    Flat {
        /// The side text as given.
        side_text: String,
    },
}

/// Whether the kernel runs on the running publisher's facts only, or on the full facts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum FactsUse {
    /// As the running P2.5: age from `age_sec` (else 0), no stop unless `current_sl`, qty 1.
    #[default]
    Running,
    /// The opt-in fix `full-facts`: age from the open time when `age_sec` is absent, the stop in
    /// force from `stop_loss` when `current_sl` is absent, risk and cost scaled by the quantity.
    Full {
        /// The time to take the age at (Unix seconds).
        now_epoch: f64,
    },
}

/// A time field in Unix seconds (milliseconds above 1e12 are converted).
fn epoch_field(f: &Fields, field: &str) -> Option<f64> {
    let v = parse_finite(f.get(field)?)?;
    Some(if v > 1e12 { v / 1000.0 } else { v })
}

/// Reads a position hash or stream entry of `symbol`. `Ok(None)` for an empty record.
///
/// # Errors
/// [`FieldError`] naming the key and the field: `side` that is no side, `entry_price` missing
/// or not a number, another number field that is not one.
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::position::{parse, Origin, PositionRead};
/// // As the apply layer writes it: no age_sec, no current_price.
/// let f = fields(&[("symbol", "BTCUSDT"), ("side", "LONG"), ("quantity", "0.01"),
///     ("entry_price", "100.5"), ("stop_loss", "98.0"), ("created_at", "1767225600"),
///     ("unrealized_pnl", "0.0")]);
/// let Some(PositionRead::Open(p)) = parse("quantum:state:positions:BTCUSDT", "BTCUSDT", Origin::Hash, &f).unwrap()
/// else { panic!() };
/// assert_eq!((p.current_price, p.age_sec, p.current_sl), (0.0, None, None));
/// assert_eq!(p.facts.stop_loss, Some(98.0));
/// ```
pub fn parse(
    key: &str,
    symbol: &str,
    origin: Origin,
    f: &Fields,
) -> Result<Option<PositionRead>, FieldError> {
    if f.is_empty() {
        return Ok(None);
    }
    // Python: `data.get("side", "LONG")`.
    let side_text = f.get("side").cloned().unwrap_or_else(|| "LONG".to_string());
    let side = match read_side(&side_text) {
        Some(SideReading::Flat) => return Ok(Some(PositionRead::Flat { side_text })),
        Some(SideReading::Long) => Side::Long,
        Some(SideReading::Short) => Side::Short,
        None => {
            return Err(FieldError::BadSide {
                key: key.to_string(),
                value: side_text,
            })
        }
    };
    let entry_price = match optional(key, f, "entry_price")? {
        Some(v) => v,
        None if f.get("entry_price").is_some_and(|v| !is_none_text(v)) => {
            return Err(FieldError::NotANumber {
                key: key.to_string(),
                field: "entry_price",
                value: f["entry_price"].clone(),
            })
        }
        None => {
            return Err(FieldError::MissingField {
                key: key.to_string(),
                field: "entry_price",
            })
        }
    };
    let current_field = optional(key, f, "current_price")?;
    let current_price = current_field.unwrap_or(match origin {
        Origin::Hash => 0.0,
        Origin::Stream => entry_price,
    });
    // Peak and trough default to the current price *field* (or 0), as the running publisher's.
    let peak_price = optional(key, f, "peak_price")?.unwrap_or(current_field.unwrap_or(0.0));
    let trough_price = optional(key, f, "trough_price")?.unwrap_or(current_field.unwrap_or(0.0));
    let other_symbol = f
        .get("symbol")
        .filter(|s| s.as_str() != symbol)
        .map(|s| clip(s));
    let quantity = [("quantity", false), ("qty", false), ("position_amt", true)]
        .into_iter()
        .find_map(|(field, abs)| {
            let v = parse_finite(f.get(field)?)?;
            Some((field, if abs { v.abs() } else { v }))
        });
    let opened_at = ["created_at", "ts_epoch"]
        .into_iter()
        .find_map(|field| Some((field, epoch_field(f, field)?)));
    Ok(Some(PositionRead::Open(Box::new(PositionRecord {
        key: key.to_string(),
        origin,
        side_text,
        side,
        entry_price,
        current_price,
        peak_price,
        trough_price,
        age_sec: optional(key, f, "age_sec")?,
        unrealized_pnl: optional(key, f, "unrealized_pnl")?.unwrap_or(0.0),
        current_sl: optional(key, f, "current_sl")?,
        current_tp: optional(key, f, "current_tp")?,
        facts: Facts {
            opened_at,
            stop_loss: f
                .get("stop_loss")
                .filter(|v| !is_none_text(v))
                .and_then(|v| parse_finite(v))
                .filter(|v| *v > 0.0),
            quantity,
        },
        other_symbol,
    }))))
}

impl PositionRecord {
    /// The age the full facts give: `age_sec` when recorded, else now − the open time (≥ 0).
    pub fn full_age(&self, now_epoch: f64) -> Option<f64> {
        self.age_sec.or_else(|| {
            self.facts
                .opened_at
                .map(|(_, at)| (now_epoch - at).max(0.0))
        })
    }

    /// Whether the full facts say the position is closed: a quantity of 0 (the exchange sync
    /// keeps a closed position's hash with `quantity` `"0"`).
    pub fn closed_by_quantity(&self) -> bool {
        self.facts.quantity.is_some_and(|(_, q)| q == 0.0)
    }

    /// The kernel's position for `symbol` (the key's symbol).
    ///
    /// ```
    /// use harvest_records::fields::fields;
    /// use harvest_records::position::{parse, FactsUse, Origin, PositionRead};
    /// let f = fields(&[("side", "LONG"), ("entry_price", "100"), ("created_at", "1000"),
    ///     ("stop_loss", "101"), ("quantity", "2")]);
    /// let Some(PositionRead::Open(p)) = parse("k", "X", Origin::Hash, &f).unwrap() else { panic!() };
    /// let running = p.position("X", FactsUse::Running);
    /// assert_eq!((running.age_sec, running.current_sl, running.qty), (0.0, None, 1.0));
    /// let full = p.position("X", FactsUse::Full { now_epoch: 4600.0 });
    /// assert_eq!((full.age_sec, full.current_sl, full.qty), (3600.0, Some(101.0), 2.0));
    /// ```
    pub fn position(&self, symbol: &str, facts: FactsUse) -> Position {
        let mut p = Position {
            symbol: symbol.to_string(),
            side: self.side,
            entry_price: self.entry_price,
            current_price: Some(self.current_price),
            peak_price: Some(self.peak_price),
            trough_price: Some(self.trough_price),
            age_sec: self.age_sec.unwrap_or(0.0),
            unrealized_pnl: self.unrealized_pnl,
            current_sl: self.current_sl,
            current_tp: self.current_tp,
            qty: 1.0,
        };
        if let FactsUse::Full { now_epoch } = facts {
            p.age_sec = self.full_age(now_epoch).unwrap_or(p.age_sec);
            p.current_sl = self.current_sl.or(self.facts.stop_loss);
            if let Some((_, q)) = self.facts.quantity.filter(|(_, q)| *q > 0.0) {
                p.qty = q;
            }
        }
        p
    }
}

/// The label of an execution-stream entry as a position source.
pub fn stream_entry_key(id: &str) -> String {
    format!("{EXECUTION_STREAM} entry {id}")
}

/// The newest entry of each of `symbols` among `entries` (newest first, as `XREVRANGE` gives
/// them): the running publisher's rule, with its exact `symbol` comparison.
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::position::newest_per_symbol;
/// let e = vec![
///     ("3-0".to_string(), fields(&[("symbol", "A"), ("side", "FLAT")])),
///     ("2-0".to_string(), fields(&[("symbol", "A"), ("side", "LONG")])),
///     ("1-0".to_string(), fields(&[("symbol", "B"), ("side", "LONG")])),
/// ];
/// let got = newest_per_symbol(&e, &["A".to_string(), "C".to_string()]);
/// assert_eq!(got.len(), 1);
/// assert_eq!(got["A"].0, "3-0");
/// ```
pub fn newest_per_symbol<'a>(
    entries: &'a [(String, Fields)],
    symbols: &[String],
) -> std::collections::BTreeMap<String, &'a (String, Fields)> {
    let wanted: std::collections::BTreeSet<&str> = symbols.iter().map(String::as_str).collect();
    let mut out = std::collections::BTreeMap::new();
    for e in entries {
        if let Some(s) = e.1.get("symbol").filter(|s| wanted.contains(s.as_str())) {
            out.entry(s.clone()).or_insert(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::fields;
    use crate::samples::{APPLY_LAYER, EXCHANGE_SYNC};

    fn open(pairs: &[(&str, &str)], origin: Origin) -> PositionRecord {
        match parse("k", "BTCUSDT", origin, &fields(pairs)) {
            Ok(Some(PositionRead::Open(p))) => *p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn writers_records_read_as_the_running_publisher() {
        let a = open(APPLY_LAYER, Origin::Hash);
        assert_eq!(a.side, Side::Long);
        assert_eq!(
            (a.entry_price, a.current_price, a.age_sec),
            (97250.1, 0.0, None)
        );
        assert_eq!((a.peak_price, a.trough_price), (0.0, 0.0));
        assert_eq!(a.current_sl, None);
        assert_eq!(a.facts.stop_loss, Some(95305.098));
        assert_eq!(a.facts.opened_at, Some(("created_at", 1767225600.0)));
        assert_eq!(a.facts.quantity, Some(("quantity", 0.004)));
        let running = a.position("BTCUSDT", FactsUse::Running);
        assert_eq!(
            (running.age_sec, running.qty, running.current_sl),
            (0.0, 1.0, None)
        );
        let s = open(EXCHANGE_SYNC, Origin::Hash);
        assert_eq!(s.other_symbol.as_deref(), Some("ETHUSDT"));
        assert_eq!((s.side, s.unrealized_pnl), (Side::Short, 61.5));
        assert_eq!(s.facts.opened_at, Some(("ts_epoch", 1767222000.0)));
        let full = s.position(
            "BTCUSDT",
            FactsUse::Full {
                now_epoch: 1767225600.0,
            },
        );
        assert_eq!(
            (full.age_sec, full.qty, full.current_sl),
            (3600.0, 1.5, None)
        );
    }

    #[test]
    fn side_and_none_table() {
        let key = "quantum:state:positions:X";
        let base = [("entry_price", "100")];
        // (side field, want: Ok(Some(side)) open, Ok(None) flat, Err text)
        type Want<'a> = Result<Option<Side>, &'a str>;
        let cases: &[(Option<&str>, Want)] = &[
            (None, Ok(Some(Side::Long))),
            (Some("LONG"), Ok(Some(Side::Long))),
            (Some("buy"), Ok(Some(Side::Long))),
            (Some("Sell"), Ok(Some(Side::Short))),
            (Some("FLAT"), Ok(None)),
            (Some("none"), Ok(None)),
            (Some("CLOSED"), Ok(None)),
            (Some(""), Ok(None)),
            (Some("UP"), Err("quantum:state:positions:X: field `side` = \"UP\" is not LONG/BUY or SHORT/SELL (nor FLAT/NONE/CLOSED for no position)")),
        ];
        for (side, want) in cases {
            let mut f = fields(&base);
            if let Some(s) = side {
                f.insert("side".into(), s.to_string());
            }
            let got = match parse(key, "X", Origin::Hash, &f) {
                Ok(Some(PositionRead::Open(p))) => Ok(Some(p.side)),
                Ok(Some(PositionRead::Flat { .. })) => Ok(None),
                Ok(None) => panic!("empty"),
                Err(e) => Err(e.to_string()),
            };
            assert_eq!(got, want.map_err(str::to_string), "{side:?}");
        }
        // "None" is absent: the proposal is computed without that value.
        let p = open(
            &[
                ("side", "SHORT"),
                ("entry_price", "100"),
                ("current_sl", "None"),
                ("current_tp", "None"),
                ("current_price", "None"),
            ],
            Origin::Stream,
        );
        assert_eq!(
            (p.current_sl, p.current_tp, p.current_price),
            (None, None, 100.0)
        );
        // current_sl "0" is a stop at 0, as the running publisher reads it.
        assert_eq!(
            open(&[("entry_price", "100"), ("current_sl", "0")], Origin::Hash).current_sl,
            Some(0.0)
        );
        for (pairs, want) in [
            (
                vec![("side", "LONG")],
                "quantum:state:positions:X: field `entry_price` is missing",
            ),
            (
                vec![("entry_price", "None")],
                "quantum:state:positions:X: field `entry_price` is missing",
            ),
            (
                vec![("entry_price", "x")],
                "quantum:state:positions:X: field `entry_price` = \"x\" is not a finite number",
            ),
            (
                vec![("entry_price", "1"), ("age_sec", "old")],
                "quantum:state:positions:X: field `age_sec` = \"old\" is not a finite number",
            ),
        ] {
            let e = parse(key, "X", Origin::Hash, &fields(&pairs)).unwrap_err();
            assert_eq!(e.to_string(), want);
        }
        assert_eq!(parse(key, "X", Origin::Hash, &Fields::new()), Ok(None));
    }

    #[test]
    fn full_facts_table() {
        let now = 2_000_000_000.0;
        // (fields, full age, full stop, full qty, closed)
        type Case<'a> = (&'a [(&'a str, &'a str)], f64, Option<f64>, f64, bool);
        let cases: &[Case] = &[
            (&[("entry_price", "1")], 0.0, None, 1.0, false),
            (
                &[("entry_price", "1"), ("age_sec", "60"), ("created_at", "0")],
                60.0,
                None,
                1.0,
                false,
            ),
            (
                &[("entry_price", "1"), ("created_at", "1999999000")],
                1000.0,
                None,
                1.0,
                false,
            ),
            (
                &[("entry_price", "1"), ("created_at", "1999999000000")],
                1000.0,
                None,
                1.0,
                false,
            ),
            (
                &[("entry_price", "1"), ("ts_epoch", "2000000100")],
                0.0,
                None,
                1.0,
                false,
            ),
            (
                &[("entry_price", "1"), ("stop_loss", "0")],
                0.0,
                None,
                1.0,
                false,
            ),
            (
                &[
                    ("entry_price", "1"),
                    ("stop_loss", "0.9"),
                    ("current_sl", "0.95"),
                ],
                0.0,
                Some(0.95),
                1.0,
                false,
            ),
            (
                &[("entry_price", "1"), ("stop_loss", "0.9")],
                0.0,
                Some(0.9),
                1.0,
                false,
            ),
            (
                &[("entry_price", "1"), ("quantity", "0")],
                0.0,
                None,
                1.0,
                true,
            ),
            (&[("entry_price", "1"), ("qty", "3")], 0.0, None, 3.0, false),
            (
                &[("entry_price", "1"), ("position_amt", "-2.5")],
                0.0,
                None,
                2.5,
                false,
            ),
        ];
        for (pairs, age, sl, qty, closed) in cases {
            let p = open(pairs, Origin::Hash);
            let full = p.position("BTCUSDT", FactsUse::Full { now_epoch: now });
            assert_eq!(
                (full.age_sec, full.current_sl, full.qty),
                (*age, *sl, *qty),
                "{pairs:?}"
            );
            assert_eq!(p.closed_by_quantity(), *closed, "{pairs:?}");
        }
    }
}
