//! Theta sets: the one JSON codec and the one strict importer of the tunables, used by the CLI
//! (`harvest theta`, `diff-theta`), the explorer's import box and the tuning view alike.
//!
//! Two formats: a JSON object with the kernel's keys ([`theta_to_json`]) and
//! `theta.harvest.<key>=<value>` lines ([`theta_to_lines`]). [`import_theta`] reads either,
//! strictly: a partial set takes the defaults, anything else wrong is refused with every
//! problem named ([`ThetaImportError`]).

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::format::shorten;
use harvest_kernel::{KernelError, Theta, ThetaField, PARAMS};

/// Prefix of the runtime-configuration keys: `theta.harvest.<key>=<value>`.
pub const LINE_PREFIX: &str = "theta.harvest.";

/// The theta-set formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThetaFormat {
    /// A JSON object with the kernel's keys (`{"kill_threshold": 0.6, ...}`).
    Json,
    /// `theta.harvest.<key>=<value>` lines, with blank lines and `#` comments.
    Lines,
    /// The AI policy store's `harvest_params` JSON (export only: the 21 tunables P2.5 takes from
    /// a policy, `fallback_stop_pct` left out; `harvest_records::policy::harvest_params_json`).
    /// It imports as [`ThetaFormat::Json`].
    Policy,
}

impl ThetaFormat {
    /// JSON when the first non-blank character is `{`, else lines.
    ///
    /// ```
    /// use harvest_features::theta::ThetaFormat;
    /// assert_eq!(ThetaFormat::detect("  {\"u1\": 0}"), ThetaFormat::Json);
    /// assert_eq!(ThetaFormat::detect("# mine\ntheta.harvest.u1=0"), ThetaFormat::Lines);
    /// ```
    pub fn detect(text: &str) -> ThetaFormat {
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            ThetaFormat::Json
        } else {
            ThetaFormat::Lines
        }
    }
}

/// One reason a theta import was refused. `line` is 1-based (lines format only); the message
/// names the key, the value as written and, for a value the kernel refuses, its allowed range.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThetaImportError {
    /// Not JSON, not a `key=value` line, or no tunable at all.
    #[error("{}{}", at(*.line), harvest_kernel::echo::clip_message(.message))]
    Malformed {
        /// Line number, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A key that is no tunable.
    #[error("{}unknown tunable “{key}” ({})", at(*.line), hint(.suggestion))]
    UnknownKey {
        /// Line number, when known.
        line: Option<usize>,
        /// The key as written (shortened when long).
        key: String,
        /// The tunable probably meant, e.g. `T1_R` for `t1_r`.
        suggestion: Option<String>,
    },
    /// A value that is not a number.
    #[error("{}{key}: {found} is not a number", at(*.line))]
    NotANumber {
        /// Line number, when known.
        line: Option<usize>,
        /// The tunable's key.
        key: String,
        /// The value as written (shortened when long).
        found: String,
    },
    /// The same tunable given twice.
    #[error("{}{key} is given twice", at(*.line))]
    Duplicate {
        /// Line number of the second occurrence, when known.
        line: Option<usize>,
        /// The tunable's key.
        key: String,
    },
    /// A value the kernel refuses ([`Theta::validate_all`]): out of range or not finite.
    #[error("{}{error}", at(*.line))]
    Invalid {
        /// Line number, when known.
        line: Option<usize>,
        /// The tunable's key.
        key: &'static str,
        /// The kernel's error (field, value, allowed range).
        error: KernelError,
    },
}

/// `"line 3: "`, or nothing when the line is not known.
fn at(line: Option<usize>) -> String {
    line.map_or_else(String::new, |n| format!("line {n}: "))
}

/// The parenthesised hint after an unknown tunable: the one probably meant, or all of them.
fn hint(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("did you mean “{s}”?"),
        None => {
            let mut out = String::from("the tunables are ");
            for (i, p) in PARAMS.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(p.key);
            }
            out
        }
    }
}

impl ThetaImportError {
    /// The 1-based line number, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            ThetaImportError::Malformed { line, .. }
            | ThetaImportError::UnknownKey { line, .. }
            | ThetaImportError::NotANumber { line, .. }
            | ThetaImportError::Duplicate { line, .. }
            | ThetaImportError::Invalid { line, .. } => *line,
        }
    }

    /// The key concerned (`None` for a malformed line).
    pub fn key(&self) -> Option<&str> {
        match self {
            ThetaImportError::Malformed { .. } => None,
            ThetaImportError::UnknownKey { key, .. }
            | ThetaImportError::NotANumber { key, .. }
            | ThetaImportError::Duplicate { key, .. } => Some(key),
            ThetaImportError::Invalid { key, .. } => Some(key),
        }
    }
}

/// Every problem of a refused import as one line, `; `-separated (for a status line).
///
/// ```
/// use harvest_features::theta::{import_theta, join_errors};
/// let errs = import_theta(r#"{"t1_r": 1, "u1": "x"}"#).unwrap_err();
/// assert_eq!(
///     join_errors(&errs),
///     "unknown tunable “t1_r” (did you mean “T1_R”?); u1: the string “x” is not a number"
/// );
/// ```
pub fn join_errors(errors: &[ThetaImportError]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let _ = write!(out, "{e}");
    }
    out
}

/// Theta as pretty JSON: all 22 keys in wire order (the kernel's serde).
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::theta::{import_theta, theta_to_json};
/// let t = Theta { kill_threshold: 0.55, ..Theta::default() };
/// assert_eq!(import_theta(&theta_to_json(&t)), Ok(t));
/// ```
pub fn theta_to_json(theta: &Theta) -> String {
    serde_json::to_string_pretty(theta).unwrap_or_default()
}

/// Theta as `theta.harvest.<key>=<value>` lines, one per tunable in wire order, after a `#`
/// header line. Values are written in the shortest form that reads back exactly.
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::theta::{import_theta, theta_to_lines};
/// let text = theta_to_lines(&Theta::default());
/// assert!(text.contains("\ntheta.harvest.kill_threshold=0.6\n"));
/// assert_eq!(import_theta(&text), Ok(Theta::default()));
/// ```
pub fn theta_to_lines(theta: &Theta) -> String {
    let mut out = format!(
        "# Harvest Lab theta: {} tunables, {LINE_PREFIX}<key>=<value>\n",
        PARAMS.len()
    );
    for p in PARAMS.iter() {
        out.push_str(&format!(
            "{LINE_PREFIX}{}={}\n",
            p.key,
            crate::format::Num(theta.get(p.field))
        ));
    }
    out
}

/// Theta in `format`, ending with a newline.
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::theta::{export_theta, ThetaFormat};
/// assert!(export_theta(&Theta::default(), ThetaFormat::Json).ends_with("}\n"));
/// let policy = export_theta(&Theta { t1_r: 2.5, ..Theta::default() }, ThetaFormat::Policy);
/// assert!(policy.starts_with(r#"{"cost_bps": 10.0, "T1_R": 2.5,"#), "{policy}");
/// assert_eq!(harvest_features::theta::import_theta(&policy).unwrap().t1_r, 2.5);
/// ```
pub fn export_theta(theta: &Theta, format: ThetaFormat) -> String {
    match format {
        ThetaFormat::Json => theta_to_json(theta) + "\n",
        ThetaFormat::Lines => theta_to_lines(theta),
        ThetaFormat::Policy => harvest_records::policy::harvest_params_json(theta) + "\n",
    }
}

/// Imports a theta set, JSON or lines ([`ThetaFormat::detect`]), strictly.
///
/// A **partial import is allowed: tunables not given take the kernel's defaults** (not the
/// caller's current values), so a file means the same wherever it is loaded. Everything else is
/// refused: unknown keys, values that are not numbers, a key given twice, malformed lines or JSON,
/// an empty file, and a result the kernel would reject ([`Theta::validate_all`], e.g. out of
/// range or `T1_R < T2_R < T3_R` broken). Nothing is mutated: on error the caller keeps its theta.
///
/// JSON: an object of tunables; an input record (`{"theta": {...}, ...}`) or a proposal
/// (`{"audit": {"theta": {...}}, ...}`) is also read, using its theta. Lines:
/// `theta.harvest.<key>=<value>` (spaces around `=` allowed), blank lines, `#` comments (whole
/// lines or after a value).
///
/// # Errors
/// Every problem found, in input order, then the kernel's range problems in wire order; each
/// names the key (and the line, for the lines format).
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_features::theta::import_theta;
/// let t = import_theta("theta.harvest.kill_threshold = 0.5  # stricter\n").unwrap();
/// assert_eq!(t, Theta { kill_threshold: 0.5, ..Theta::default() });
/// let errs = import_theta(r#"{"kill": 0.5, "sigma_ref": 0, "T1_R": "two"}"#).unwrap_err();
/// let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
/// assert_eq!(errs.len(), 3, "{text:?}");
/// assert!(text[0].contains("“kill”") && text[1].contains("T1_R") && text[2].contains("sigma_ref"));
/// ```
pub fn import_theta(text: &str) -> Result<Theta, Vec<ThetaImportError>> {
    match ThetaFormat::detect(text) {
        ThetaFormat::Json | ThetaFormat::Policy => import_theta_json(text),
        ThetaFormat::Lines => import_theta_lines(text),
    }
}

/// [`import_theta`] for the JSON format only.
///
/// # Errors
/// As [`import_theta`].
pub fn import_theta_json(text: &str) -> Result<Theta, Vec<ThetaImportError>> {
    let text = text.trim_start_matches('\u{feff}');
    let root: ThetaJson = serde_json::from_str(text).map_err(|e| {
        vec![ThetaImportError::Malformed {
            line: None,
            message: format!("not valid JSON: {e}"),
        }]
    })?;
    import_theta_value(root)
}

/// [`import_theta`] for JSON already parsed (the dashboard parses with the browser's
/// `JSON.parse`, keeping serde_json's parser out of its main wasm).
///
/// # Errors
/// As [`import_theta`].
///
/// ```
/// use harvest_features::theta::{import_theta_value, ThetaJson};
/// let root = ThetaJson::Object(vec![("u1".into(), ThetaJson::Number(0.5))]);
/// assert_eq!(import_theta_value(root).unwrap().u1, 0.5);
/// let e = import_theta_value(ThetaJson::array()).unwrap_err();
/// assert_eq!(e[0].to_string(), "expected a JSON object of tunables");
/// ```
pub fn import_theta_value(root: ThetaJson) -> Result<Theta, Vec<ThetaImportError>> {
    let ThetaJson::Object(top) = root else {
        return Err(vec![ThetaImportError::Malformed {
            line: None,
            message: "expected a JSON object of tunables".to_string(),
        }]);
    };
    let find = |entries: &[(String, ThetaJson)], k: &str| -> Option<Vec<(String, ThetaJson)>> {
        entries.iter().find_map(|(key, v)| match v {
            ThetaJson::Object(inner) if key == k => Some(inner.clone()),
            _ => None,
        })
    };
    let entries = if let Some(inner) = find(&top, "theta") {
        inner
    } else if let Some(inner) = find(&top, "audit").and_then(|a| find(&a, "theta")) {
        inner
    } else {
        top
    };
    let mut errors = Vec::new();
    let mut given = Vec::new();
    for (key, value) in entries {
        match (ThetaField::from_key(&key), value) {
            (None, _) => errors.push(unknown_key(None, &key, &key)),
            (Some(f), ThetaJson::Number(v)) => given.push((f, v, None)),
            (Some(f), ThetaJson::Object(_)) => errors.push(not_a_number(None, f, "an object")),
            (Some(f), ThetaJson::Other(what)) => errors.push(not_a_number(None, f, &what)),
        }
    }
    finish(given, errors)
}

/// [`import_theta`] for the lines format only.
///
/// # Errors
/// As [`import_theta`].
pub fn import_theta_lines(text: &str) -> Result<Theta, Vec<ThetaImportError>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut errors = Vec::new();
    let mut given = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = Some(i + 1);
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            errors.push(ThetaImportError::Malformed {
                line: n,
                message: format!(
                    "“{}” is not a {LINE_PREFIX}<key>=<value> line",
                    shorten(line)
                ),
            });
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let field = key.strip_prefix(LINE_PREFIX).and_then(ThetaField::from_key);
        let Some(field) = field else {
            let bare = key.strip_prefix(LINE_PREFIX).unwrap_or(key);
            errors.push(unknown_key(n, key, bare));
            continue;
        };
        match crate::format::parse_f64_std(value) {
            Some(v) => given.push((field, v, n)),
            None => errors.push(not_a_number(
                n,
                field,
                &if value.is_empty() {
                    "an empty value".to_string()
                } else {
                    format!("“{}”", shorten(value))
                },
            )),
        }
    }
    if given.is_empty() && errors.is_empty() {
        errors.push(ThetaImportError::Malformed {
            line: None,
            message: format!("no tunables: expected {LINE_PREFIX}<key>=<value> lines"),
        });
    }
    finish(given, errors)
}

/// Applies the given values to the defaults, flags duplicates, then validates the result.
fn finish(
    given: Vec<(ThetaField, f64, Option<usize>)>,
    mut errors: Vec<ThetaImportError>,
) -> Result<Theta, Vec<ThetaImportError>> {
    let mut theta = Theta::default();
    let mut line_of = [None::<Option<usize>>; PARAMS.len()];
    let mut dups = Vec::new();
    for (f, v, line) in given {
        let slot = &mut line_of[f as usize];
        if slot.is_some() {
            dups.push(ThetaImportError::Duplicate {
                line,
                key: f.key().to_string(),
            });
        } else {
            *slot = Some(line);
            theta.set(f, v);
        }
    }
    errors.extend(dups);
    for e in theta.validate_all() {
        let key = e.field().strip_prefix("theta.").unwrap_or(e.field());
        let field = ThetaField::from_key(key);
        let line = field.and_then(|f| line_of[f as usize]).flatten();
        errors.push(ThetaImportError::Invalid {
            line,
            key: field.map_or("theta", |f| f.key()),
            error: e,
        });
    }
    if errors.is_empty() {
        Ok(theta)
    } else {
        errors.sort_by_key(|e| e.line().unwrap_or(usize::MAX));
        Err(errors)
    }
}

fn unknown_key(line: Option<usize>, written: &str, bare: &str) -> ThetaImportError {
    let suggestion = ThetaField::ALL
        .into_iter()
        .find(|f| f.key().eq_ignore_ascii_case(bare.trim()))
        .map(|f| {
            if line.is_some() {
                format!("{LINE_PREFIX}{}", f.key())
            } else {
                f.key().to_string()
            }
        });
    ThetaImportError::UnknownKey {
        line,
        key: shorten(written),
        suggestion,
    }
}

fn not_a_number(line: Option<usize>, f: ThetaField, found: &str) -> ThetaImportError {
    ThetaImportError::NotANumber {
        line,
        key: f.key().to_string(),
        found: found.to_string(),
    }
}

/// A JSON value as far as a theta import cares: objects keep their key order and duplicates,
/// anything that is neither an object nor a number is only described.
#[derive(Debug, Clone, PartialEq)]
pub enum ThetaJson {
    /// An object's entries in written order (duplicates kept).
    Object(Vec<(String, ThetaJson)>),
    /// A number.
    Number(f64),
    /// Any other value, described for a message (`the string “x”`, `null`, `an array`).
    Other(String),
}

impl ThetaJson {
    /// A string value.
    pub fn string(s: &str) -> ThetaJson {
        ThetaJson::Other(format!("the string “{}”", shorten(s)))
    }

    /// A boolean value.
    pub fn boolean(b: bool) -> ThetaJson {
        ThetaJson::Other(format!("the boolean {b}"))
    }

    /// `null`.
    pub fn null() -> ThetaJson {
        ThetaJson::Other("null".to_string())
    }

    /// An array (its items do not matter).
    pub fn array() -> ThetaJson {
        ThetaJson::Other("an array".to_string())
    }
}

impl<'de> Deserialize<'de> for ThetaJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = ThetaJson;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ThetaJson, E> {
        Ok(ThetaJson::boolean(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ThetaJson, E> {
        Ok(ThetaJson::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ThetaJson, E> {
        Ok(ThetaJson::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ThetaJson, E> {
        Ok(ThetaJson::Number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ThetaJson, E> {
        Ok(ThetaJson::string(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<ThetaJson, E> {
        Ok(ThetaJson::null())
    }

    fn visit_none<E: de::Error>(self) -> Result<ThetaJson, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ThetaJson, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(ThetaJson::array())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ThetaJson, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, ThetaJson>()? {
            entries.push((k, v));
        }
        Ok(ThetaJson::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_refuses_duplicates_in_both_formats() {
        let e = import_theta(r#"{"u1": 1, "u1": 2}"#).unwrap_err();
        assert!(matches!(&e[..], [ThetaImportError::Duplicate { key, .. }] if key == "u1"));
        let e = import_theta("theta.harvest.u1=1\ntheta.harvest.u1=2\n").unwrap_err();
        assert_eq!(e[0].line(), Some(2));
    }

    #[test]
    fn import_reads_records_and_proposals() {
        let t = import_theta(r#"{"position": {}, "theta": {"u2": 0.5}}"#).unwrap();
        assert_eq!(t.u2, 0.5);
        let t = import_theta(r#"{"audit": {"theta": {"u3": 0.25}}}"#).unwrap();
        assert_eq!(t.u3, 0.25);
    }

    #[test]
    fn import_edge_cases_never_panic() {
        for text in [
            "",
            "#",
            "=",
            "==",
            "{",
            "}",
            "[]",
            "null",
            "theta.harvest.=1",
            "theta.harvest.u1=",
            "theta.harvest.u1=nan",
            "theta.harvest.u1=inf",
            "{\"u1\": 1e999}",
            "\u{feff}{}",
            "{\"theta\": 3}",
            "ä=ö",
        ] {
            let _ = import_theta(text);
        }
        assert_eq!(import_theta("\u{feff}{}"), Ok(Theta::default()));
        let e = import_theta("theta.harvest.u1=nan").unwrap_err();
        assert!(matches!(e[0], ThetaImportError::Invalid { key: "u1", .. }));
        assert!(import_theta("# only a comment\n\n").is_err());
    }

    #[test]
    fn suggestion_for_case_and_prefix_mistakes() {
        let e = import_theta("theta.harvest.t1_r=2").unwrap_err();
        assert!(e[0]
            .to_string()
            .contains("did you mean “theta.harvest.T1_R”"));
        let e = import_theta("kill_threshold=0.5").unwrap_err();
        assert!(e[0]
            .to_string()
            .contains("did you mean “theta.harvest.kill_threshold”"));
    }

    #[test]
    fn theta_json_round_trip_and_errors() {
        let t = Theta {
            kill_threshold: 0.55,
            t1_r: 4.0 / 3.0,
            ..Theta::default()
        };
        let json = theta_to_json(&t);
        assert_eq!(import_theta(&json).unwrap(), t);
        assert_eq!(
            import_theta(r#"{"theta": {"T1_R": 1.5}}"#).unwrap().t1_r,
            1.5
        );
        assert_eq!(
            import_theta(r#"{"audit": {"theta": {"lock_R": 1}}}"#)
                .unwrap()
                .lock_r,
            1.0
        );
        assert!(import_theta_json("[1]")
            .map_err(|e| join_errors(&e))
            .unwrap_err()
            .contains("object"));
        assert!(import_theta("{")
            .map_err(|e| join_errors(&e))
            .unwrap_err()
            .contains("JSON"));
        assert!(join_errors(&import_theta(r#"{"T1_R": "2"}"#).unwrap_err()).contains("T1_R"));
        assert!(import_theta(r#"{"T1_R": null}"#).is_err());
    }
}
