//! Pure: the Redis keys the publisher reads, and their string fields parsed into kernel inputs
//! with typed errors that name the key and the field.

use std::collections::HashMap;

use harvest_kernel::{MarketState, P1Proposal, Position, Side};

/// A Redis hash (or stream entry) as read: field name → string value.
pub type Fields = HashMap<String, String>;

/// Hash of P0.5's market state for a symbol: `sigma`, `ts`, `p_trend`, `p_mr`, `p_chop`.
pub fn market_state_key(symbol: &str) -> String {
    format!("quantum:marketstate:{symbol}")
}

/// Hash of P1.5's risk proposal for a symbol: `stop_dist_pct`, `proposed_sl`.
pub fn risk_proposal_key(symbol: &str) -> String {
    format!("quantum:risk:proposal:{symbol}")
}

/// Hash of the open position of a symbol (empty or absent: no position).
pub fn position_key(symbol: &str) -> String {
    format!("quantum:state:positions:{symbol}")
}

/// The execution stream whose latest entry per symbol is the position (`--position-source
/// redis_stream`, and `auto` when the position hash is empty).
pub const EXECUTION_STREAM: &str = "quantum:stream:execution";

/// Why a symbol's inputs cannot be turned into kernel inputs. Every variant names the Redis key
/// and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The hash does not exist (or is empty) although the symbol has a position.
    #[error("{key}: missing (no such hash or it is empty)")]
    MissingKey {
        /// The Redis key.
        key: String,
    },
    /// A required field is absent.
    #[error("{key}: field `{field}` is missing")]
    MissingField {
        /// The Redis key.
        key: String,
        /// The field name.
        field: &'static str,
    },
    /// A field that must be a number is not one (or is NaN/∞).
    #[error("{key}: field `{field}` = {:?} is not a finite number", harvest_kernel::echo::Echo(.value))]
    NotANumber {
        /// The Redis key.
        key: String,
        /// The field name.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// `side` is neither LONG nor SHORT.
    #[error("{key}: field `side` = {:?} is not LONG or SHORT", harvest_kernel::echo::Echo(.value))]
    BadSide {
        /// The Redis key.
        key: String,
        /// The text found.
        value: String,
    },
    /// The position's `symbol` field names another symbol.
    #[error("{key}: field `symbol` = {:?} does not match the key's symbol {expected}", harvest_kernel::echo::Echo(.value))]
    SymbolMismatch {
        /// The Redis key.
        key: String,
        /// The text found.
        value: String,
        /// The symbol of the key.
        expected: String,
    },
}

impl InputError {
    /// The Redis key concerned.
    pub fn key(&self) -> &str {
        match self {
            InputError::MissingKey { key }
            | InputError::MissingField { key, .. }
            | InputError::NotANumber { key, .. }
            | InputError::BadSide { key, .. }
            | InputError::SymbolMismatch { key, .. } => key,
        }
    }
}

/// Whether an optional field's text means "no value": absent, empty, `None` (Python's
/// `str(None)`), `null` or `nan`-free blanks.
fn is_none_text(v: &str) -> bool {
    let t = v.trim();
    t.is_empty() || t == "None" || t == "null" || t == "NULL"
}

fn number(key: &str, fields: &Fields, field: &'static str) -> Result<f64, InputError> {
    match fields.get(field) {
        None => Err(InputError::MissingField {
            key: key.to_string(),
            field,
        }),
        Some(v) => parse_finite(v).ok_or_else(|| InputError::NotANumber {
            key: key.to_string(),
            field,
            value: v.clone(),
        }),
    }
}

fn optional(key: &str, fields: &Fields, field: &'static str) -> Result<Option<f64>, InputError> {
    match fields.get(field) {
        None => Ok(None),
        Some(v) if is_none_text(v) => Ok(None),
        Some(v) => parse_finite(v)
            .map(Some)
            .ok_or_else(|| InputError::NotANumber {
                key: key.to_string(),
                field,
                value: v.clone(),
            }),
    }
}

/// Parses a number as Python's `float()` would (surrounding blanks allowed), finite only.
///
/// ```
/// use harvest_publisher::input::parse_finite;
/// assert_eq!(parse_finite(" 0.25 "), Some(0.25));
/// assert_eq!(parse_finite("1e-05"), Some(1e-5));
/// assert_eq!(parse_finite("abc"), None);
/// assert_eq!(parse_finite("nan"), None);
/// ```
pub fn parse_finite(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The market state from `quantum:marketstate:<SYM>`: all five fields are required numbers.
///
/// # Errors
/// [`InputError::MissingKey`] for an empty hash, [`InputError::MissingField`] /
/// [`InputError::NotANumber`] naming the field.
///
/// ```
/// use harvest_publisher::input::{parse_market_state, Fields};
/// let f: Fields = [("sigma", "0.01"), ("ts", "0.4"), ("p_trend", "0.6"), ("p_mr", "0.2"), ("p_chop", "0.2")]
///     .into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
/// assert_eq!(parse_market_state("quantum:marketstate:BTCUSDT", &f).unwrap().sigma, 0.01);
/// ```
pub fn parse_market_state(key: &str, fields: &Fields) -> Result<MarketState, InputError> {
    if fields.is_empty() {
        return Err(InputError::MissingKey {
            key: key.to_string(),
        });
    }
    Ok(MarketState {
        sigma: number(key, fields, "sigma")?,
        ts: number(key, fields, "ts")?,
        p_trend: number(key, fields, "p_trend")?,
        p_mr: number(key, fields, "p_mr")?,
        p_chop: number(key, fields, "p_chop")?,
    })
}

/// P1's proposal from `quantum:risk:proposal:<SYM>`: `None` when the hash is empty (the kernel
/// then uses the fallback stop); otherwise `stop_dist_pct` is required, `proposed_sl` optional.
///
/// # Errors
/// [`InputError::MissingField`] / [`InputError::NotANumber`] naming the field.
///
/// ```
/// use harvest_publisher::input::{parse_p1, Fields};
/// assert_eq!(parse_p1("quantum:risk:proposal:X", &Fields::new()), Ok(None));
/// ```
pub fn parse_p1(key: &str, fields: &Fields) -> Result<Option<P1Proposal>, InputError> {
    if fields.is_empty() {
        return Ok(None);
    }
    Ok(Some(P1Proposal {
        stop_dist_pct: number(key, fields, "stop_dist_pct")?,
        proposed_sl: optional(key, fields, "proposed_sl")?,
        proposed_tp: optional(key, fields, "proposed_tp")?,
    }))
}

/// Whether a position record (hash or stream entry) says "no position": it is empty, or its
/// `side` is empty, `FLAT`, `NONE`/`None` or `CLOSED`.
///
/// ```
/// use harvest_publisher::input::{is_flat, Fields};
/// assert!(is_flat(&Fields::new()));
/// ```
pub fn is_flat(fields: &Fields) -> bool {
    if fields.is_empty() {
        return true;
    }
    match fields.get("side") {
        Some(s) => {
            let s = s.trim().to_ascii_uppercase();
            s.is_empty() || s == "FLAT" || s == "NONE" || s == "CLOSED"
        }
        None => false,
    }
}

/// The position from `quantum:state:positions:<SYM>` (or a stream entry): `side`,
/// `entry_price`, `age_sec`, `unrealized_pnl` required; `current_price`, `peak_price`,
/// `trough_price`, `current_sl`, `current_tp` optional (absent, empty or `None`); `qty` optional
/// (default 1); `symbol`, when present, must be the key's symbol. `Ok(None)` when the record says
/// there is no position ([`is_flat`]).
///
/// # Errors
/// [`InputError`] naming the key and the field.
///
/// ```
/// use harvest_publisher::input::{parse_position, Fields};
/// let f: Fields = [("side", "SHORT"), ("entry_price", "100"), ("age_sec", "60"), ("unrealized_pnl", "-1.5")]
///     .into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
/// let p = parse_position("quantum:state:positions:ETHUSDT", "ETHUSDT", &f).unwrap().unwrap();
/// assert_eq!((p.symbol.as_str(), p.unrealized_pnl, p.qty), ("ETHUSDT", -1.5, 1.0));
/// ```
pub fn parse_position(
    key: &str,
    symbol: &str,
    fields: &Fields,
) -> Result<Option<Position>, InputError> {
    if is_flat(fields) {
        return Ok(None);
    }
    if let Some(s) = fields.get("symbol") {
        if s.trim() != symbol {
            return Err(InputError::SymbolMismatch {
                key: key.to_string(),
                value: s.clone(),
                expected: symbol.to_string(),
            });
        }
    }
    let side = match fields.get("side") {
        None => {
            return Err(InputError::MissingField {
                key: key.to_string(),
                field: "side",
            })
        }
        Some(s) => match s.trim().to_ascii_uppercase().as_str() {
            "LONG" | "BUY" => Side::Long,
            "SHORT" | "SELL" => Side::Short,
            _ => {
                return Err(InputError::BadSide {
                    key: key.to_string(),
                    value: s.clone(),
                })
            }
        },
    };
    Ok(Some(Position {
        symbol: symbol.to_string(),
        side,
        entry_price: number(key, fields, "entry_price")?,
        current_price: optional(key, fields, "current_price")?,
        peak_price: optional(key, fields, "peak_price")?,
        trough_price: optional(key, fields, "trough_price")?,
        age_sec: number(key, fields, "age_sec")?,
        unrealized_pnl: number(key, fields, "unrealized_pnl")?,
        current_sl: optional(key, fields, "current_sl")?,
        current_tp: optional(key, fields, "current_tp")?,
        qty: optional(key, fields, "qty")?.unwrap_or(1.0),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const MS: &[(&str, &str)] = &[
        ("sigma", "0.01"),
        ("ts", "0.4"),
        ("p_trend", "0.6"),
        ("p_mr", "0.2"),
        ("p_chop", "0.2"),
    ];

    proptest::proptest! {
        /// Any strings in any of the fields: a position, no position, or an error naming the
        /// key; never a panic, never a non-finite number.
        #[test]
        fn any_position_text_is_parsed_or_named(
            values in proptest::collection::vec(
                proptest::option::of("[ -~]{0,12}|-?[0-9]{1,5}(\\.[0-9]{1,4})?(e-?[0-9])?|LONG|SHORT|None"),
                11,
            ),
        ) {
            let names = ["symbol", "side", "entry_price", "current_price", "peak_price",
                "trough_price", "age_sec", "unrealized_pnl", "current_sl", "current_tp", "qty"];
            let fields: Fields = names
                .iter()
                .zip(&values)
                .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone())))
                .collect();
            let key = "quantum:state:positions:X";
            match parse_position(key, "X", &fields) {
                Ok(Some(p)) => {
                    for v in [p.entry_price, p.age_sec, p.unrealized_pnl, p.qty] {
                        proptest::prop_assert!(v.is_finite());
                    }
                }
                Ok(None) => proptest::prop_assert!(is_flat(&fields)),
                Err(e) => proptest::prop_assert_eq!(e.key(), key),
            }
        }
    }

    #[test]
    fn market_state_table() {
        let key = "quantum:marketstate:BTCUSDT";
        let with = |field: &str, value: Option<&str>| {
            let mut m = f(MS);
            match value {
                Some(v) => m.insert(field.to_string(), v.to_string()),
                None => m.remove(field),
            };
            m
        };
        let cases: Vec<(Fields, Result<f64, InputError>)> = vec![
            (f(MS), Ok(0.01)),
            (with("sigma", Some(" 2e-2 ")), Ok(0.02)),
            (
                with("sigma", Some("abc")),
                Err(InputError::NotANumber {
                    key: key.into(),
                    field: "sigma",
                    value: "abc".into(),
                }),
            ),
            (
                with("sigma", Some("inf")),
                Err(InputError::NotANumber {
                    key: key.into(),
                    field: "sigma",
                    value: "inf".into(),
                }),
            ),
            (
                with("p_chop", None),
                Err(InputError::MissingField {
                    key: key.into(),
                    field: "p_chop",
                }),
            ),
            (
                with("ts", Some("")),
                Err(InputError::NotANumber {
                    key: key.into(),
                    field: "ts",
                    value: "".into(),
                }),
            ),
            (
                Fields::new(),
                Err(InputError::MissingKey { key: key.into() }),
            ),
        ];
        for (fields, want) in cases {
            assert_eq!(
                parse_market_state(key, &fields).map(|m| m.sigma),
                want,
                "{fields:?}"
            );
        }
    }

    #[test]
    fn malformed_messages_name_key_and_field() {
        let mut m = f(MS);
        m.insert("sigma".into(), "abc".into());
        let e = parse_market_state("quantum:marketstate:X", &m).unwrap_err();
        assert_eq!(
            e.to_string(),
            "quantum:marketstate:X: field `sigma` = \"abc\" is not a finite number"
        );
        assert_eq!(e.key(), "quantum:marketstate:X");
    }

    #[test]
    fn p1_table() {
        let key = "quantum:risk:proposal:X";
        type Want = Result<Option<(f64, Option<f64>)>, InputError>;
        let cases: Vec<(Fields, Want)> = vec![
            (Fields::new(), Ok(None)),
            (
                f(&[("stop_dist_pct", "0.01"), ("proposed_sl", "99")]),
                Ok(Some((0.01, Some(99.0)))),
            ),
            (
                f(&[("stop_dist_pct", "-0.01"), ("proposed_sl", "None")]),
                Ok(Some((-0.01, None))),
            ),
            (
                f(&[("proposed_sl", "99")]),
                Err(InputError::MissingField {
                    key: key.into(),
                    field: "stop_dist_pct",
                }),
            ),
            (
                f(&[("stop_dist_pct", "0.01"), ("proposed_sl", "x")]),
                Err(InputError::NotANumber {
                    key: key.into(),
                    field: "proposed_sl",
                    value: "x".into(),
                }),
            ),
        ];
        for (fields, want) in cases {
            let got = parse_p1(key, &fields).map(|o| o.map(|p| (p.stop_dist_pct, p.proposed_sl)));
            assert_eq!(got, want, "{fields:?}");
        }
    }

    #[test]
    fn position_table() {
        let key = "quantum:state:positions:BTCUSDT";
        let base = [
            ("symbol", "BTCUSDT"),
            ("side", "LONG"),
            ("entry_price", "100"),
            ("current_price", "103"),
            ("peak_price", "104"),
            ("trough_price", "99.5"),
            ("age_sec", "3600"),
            ("unrealized_pnl", "3"),
            ("current_sl", "99"),
            ("current_tp", "None"),
        ];
        let with = |field: &str, value: Option<&str>| {
            let mut m = f(&base);
            match value {
                Some(v) => m.insert(field.to_string(), v.to_string()),
                None => m.remove(field),
            };
            m
        };
        type Want = Result<Option<(Side, Option<f64>, f64)>, InputError>;
        let cases: Vec<(Fields, Want)> = vec![
            (f(&base), Ok(Some((Side::Long, Some(99.0), 1.0)))),
            (Fields::new(), Ok(None)),
            (with("side", Some("")), Ok(None)),
            (with("side", Some("FLAT")), Ok(None)),
            (
                with("side", Some("short")),
                Ok(Some((Side::Short, Some(99.0), 1.0))),
            ),
            (
                with("current_sl", Some("")),
                Ok(Some((Side::Long, None, 1.0))),
            ),
            (with("current_sl", None), Ok(Some((Side::Long, None, 1.0)))),
            (
                with("qty", Some("2.5")),
                Ok(Some((Side::Long, Some(99.0), 2.5))),
            ),
            (
                with("symbol", None),
                Ok(Some((Side::Long, Some(99.0), 1.0))),
            ),
            (
                with("side", Some("UP")),
                Err(InputError::BadSide {
                    key: key.into(),
                    value: "UP".into(),
                }),
            ),
            (
                with("side", None),
                Err(InputError::MissingField {
                    key: key.into(),
                    field: "side",
                }),
            ),
            (
                with("entry_price", None),
                Err(InputError::MissingField {
                    key: key.into(),
                    field: "entry_price",
                }),
            ),
            (
                with("age_sec", Some("1h")),
                Err(InputError::NotANumber {
                    key: key.into(),
                    field: "age_sec",
                    value: "1h".into(),
                }),
            ),
            (
                with("current_sl", Some("low")),
                Err(InputError::NotANumber {
                    key: key.into(),
                    field: "current_sl",
                    value: "low".into(),
                }),
            ),
            (
                with("symbol", Some("ETHUSDT")),
                Err(InputError::SymbolMismatch {
                    key: key.into(),
                    value: "ETHUSDT".into(),
                    expected: "BTCUSDT".into(),
                }),
            ),
        ];
        for (fields, want) in cases {
            let got = parse_position(key, "BTCUSDT", &fields)
                .map(|o| o.map(|p| (p.side, p.current_sl, p.qty)));
            assert_eq!(got, want, "{fields:?}");
        }
    }
}
