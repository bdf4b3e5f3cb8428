//! The AI policy store's record `quantum:policy:current` as the running system reads it
//! (`lib/policy_store.py`, fail-closed: a missing field, unparsable JSON or an expired
//! `valid_until_epoch` means no policy, and P2.5 then uses the default theta), its `policy_hash`,
//! the theta P2.5 takes from `harvest_params` key by key, and the `harvest_params` JSON a theta is
//! exported as. Harvest Lab never writes the policy store.

use serde::Serialize;

use harvest_kernel::{Theta, ThetaField};

use crate::fields::{clip, Fields};
use crate::num::{parse_py_float, py_float};
use crate::time::utc_text;

/// Fields the policy must have (any missing: no policy).
pub const REQUIRED_FIELDS: [&str; 6] = [
    "universe_symbols",
    "leverage_by_symbol",
    "harvest_params",
    "kill_params",
    "valid_until_epoch",
    "policy_version",
];

/// The fields holding JSON text, in the order the policy store parses them.
const JSON_FIELDS: [&str; 4] = [
    "universe_symbols",
    "leverage_by_symbol",
    "harvest_params",
    "kill_params",
];

/// Why there is no usable policy (P2.5 then computes with the default theta).
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PolicyError {
    /// `quantum:policy:current` does not exist (or is empty).
    #[error("no policy: quantum:policy:current does not exist")]
    Absent,
    /// Required fields are missing (the policy store's POLICY_MISSING_FIELD).
    #[error("policy has no field {}", .fields.join(", "))]
    MissingFields {
        /// The missing fields, in [`REQUIRED_FIELDS`] order.
        fields: Vec<&'static str>,
    },
    /// A JSON field does not parse (POLICY_PARSE_ERROR).
    #[error("policy field {field} is not JSON: {}", harvest_kernel::echo::clip_message(.message))]
    BadJson {
        /// The field.
        field: &'static str,
        /// The parser's message.
        message: String,
    },
    /// `valid_until_epoch` is not a number (POLICY_PARSE_ERROR).
    #[error("policy field valid_until_epoch = {:?} is not a number", clip(.value))]
    BadValidUntil {
        /// The text found.
        value: String,
    },
    /// The policy expired (POLICY_STALE).
    #[error("policy {} expired at {} (valid_until_epoch {})", clip(.version), utc_text(*.valid_until_epoch), py_float(*.valid_until_epoch))]
    Expired {
        /// Its version.
        version: String,
        /// When it expired.
        valid_until_epoch: f64,
    },
    /// `harvest_params` is JSON but not an object (P2.5 then falls back to the defaults).
    #[error("policy field harvest_params is {found}, not a JSON object of tunables")]
    ParamsNotObject {
        /// What it is (`an array`, `a number`, …).
        found: &'static str,
    },
    /// A tunable in `harvest_params` is not a number.
    #[error("policy harvest_params.{key} = {} is not a number", clip(.value))]
    BadParam {
        /// The tunable.
        key: String,
        /// Its JSON text.
        value: String,
    },
}

/// A tunable the policy sets to another value than the default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThetaDiff {
    /// The tunable's key (`T1_R`).
    pub key: &'static str,
    /// The policy's value.
    pub value: f64,
    /// The default.
    pub default: f64,
}

/// A readable, unexpired policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// `policy_version`.
    pub version: String,
    /// The policy store's `policy_hash` of the record (SHA-256 hex, [`policy_hash`]).
    pub hash: String,
    /// `valid_until_epoch`.
    pub valid_until_epoch: f64,
    /// The number of `universe_symbols` (when a list).
    pub universe_size: Option<usize>,
    /// The tunables `harvest_params` sets, in the kernel's order (`fallback_stop_pct` excluded:
    /// P2.5 keeps its own configuration's).
    pub params: Vec<(ThetaField, f64)>,
    /// Keys of `harvest_params` P2.5 does not take (not tunables, or `fallback_stop_pct`).
    pub ignored: Vec<String>,
}

/// The policy store's `policy_hash`: SHA-256 (hex) of Python's
/// `json.dumps(sorted(record.items()), sort_keys=True)`, i.e. of the text
/// `[["field", "value"], …]` with `", "` / `": "` separators and every non-ASCII or control
/// character escaped as `\uXXXX` (surrogate pairs beyond the BMP), over every field of the hash
/// as read (a stored `policy_hash` field included).
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::policy::{policy_hash, hash_input};
/// let f = fields(&[("b", "2"), ("a", "é\n")]);
/// assert_eq!(hash_input(&f), r#"[["a", "\u00e9\n"], ["b", "2"]]"#);
/// assert_eq!(policy_hash(&f).len(), 64);
/// ```
pub fn policy_hash(f: &Fields) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(hash_input(f).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The text [`policy_hash`] hashes.
pub fn hash_input(f: &Fields) -> String {
    let mut s = String::from("[");
    for (i, (k, v)) in f.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('[');
        python_json_str(&mut s, k);
        s.push_str(", ");
        python_json_str(&mut s, v);
        s.push(']');
    }
    s.push(']');
    s
}

/// Python's `json.dumps` of a string with `ensure_ascii=True`.
fn python_json_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reads the policy at Unix time `now` with the policy store's fail-closed rules, in its order:
/// required fields, the JSON fields and `valid_until_epoch` (Python's `float()`), expiry
/// (`now > valid_until_epoch`); then, as P2.5 takes theta, `harvest_params` must be an object
/// whose tunables are numbers.
///
/// # Errors
/// [`PolicyError`]: the reason P2.5 falls back to the default theta.
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::policy::{load, PolicyError};
/// let f = fields(&[
///     ("universe_symbols", r#"["BTCUSDT"]"#), ("leverage_by_symbol", r#"{"BTCUSDT": 5}"#),
///     ("harvest_params", r#"{"T1_R": 2.5, "lock_R": 1}"#), ("kill_params", "{}"),
///     ("valid_until_epoch", "2000000000.5"), ("policy_version", "1.0.3"),
/// ]);
/// let p = load(&f, 1_900_000_000.0).unwrap();
/// assert_eq!(p.theta(0.02).t1_r, 2.5);
/// assert_eq!(p.theta(0.02).lock_r, 1.0);
/// assert!(matches!(load(&f, 2_000_000_001.0), Err(PolicyError::Expired { .. })));
/// ```
pub fn load(f: &Fields, now: f64) -> Result<Policy, PolicyError> {
    if f.is_empty() {
        return Err(PolicyError::Absent);
    }
    let missing: Vec<&'static str> = REQUIRED_FIELDS
        .iter()
        .copied()
        .filter(|k| !f.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return Err(PolicyError::MissingFields { fields: missing });
    }
    let mut parsed = Vec::with_capacity(4);
    for field in JSON_FIELDS {
        let v: serde_json::Value =
            serde_json::from_str(&f[field]).map_err(|e| PolicyError::BadJson {
                field,
                message: e.to_string(),
            })?;
        parsed.push(v);
    }
    let valid_until_epoch =
        parse_py_float(&f["valid_until_epoch"]).ok_or_else(|| PolicyError::BadValidUntil {
            value: f["valid_until_epoch"].clone(),
        })?;
    let version = f["policy_version"].clone();
    if now > valid_until_epoch {
        return Err(PolicyError::Expired {
            version,
            valid_until_epoch,
        });
    }
    let serde_json::Value::Object(harvest) = &parsed[2] else {
        return Err(PolicyError::ParamsNotObject {
            found: kind(&parsed[2]),
        });
    };
    let mut params = Vec::new();
    let mut ignored = Vec::new();
    for (key, v) in harvest {
        match ThetaField::from_key(key).filter(|t| *t != ThetaField::FallbackStopPct) {
            Some(t) => match v.as_f64().filter(|_| v.is_number()) {
                Some(x) => params.push((t, x)),
                None => {
                    return Err(PolicyError::BadParam {
                        key: key.clone(),
                        value: v.to_string(),
                    })
                }
            },
            None => ignored.push(clip(key)),
        }
    }
    params.sort_by_key(|(t, _)| *t as usize);
    Ok(Policy {
        version,
        hash: policy_hash(f),
        valid_until_epoch,
        universe_size: parsed[0].as_array().map(Vec::len),
        params,
        ignored,
    })
}

impl Policy {
    /// The theta P2.5 computes with: the defaults, `fallback_stop_pct` from its configuration,
    /// every tunable the policy sets.
    pub fn theta(&self, fallback_stop_pct: f64) -> Theta {
        let mut t = Theta {
            fallback_stop_pct,
            ..Theta::default()
        };
        for (field, v) in &self.params {
            t.set(*field, *v);
        }
        t
    }

    /// The first 8 characters of the hash (as the running system logs it).
    pub fn short_hash(&self) -> &str {
        &self.hash[..self.hash.len().min(8)]
    }

    /// The tunables whose value differs from the default.
    pub fn differs(&self) -> Vec<ThetaDiff> {
        let d = Theta::default();
        self.params
            .iter()
            .filter(|(f, v)| d.get(*f).to_bits() != v.to_bits())
            .map(|(f, v)| ThetaDiff {
                key: f.key(),
                value: *v,
                default: d.get(*f),
            })
            .collect()
    }

    /// One line for logs and headers: `policy 1.0.3 (hash 1a2b3c4d, valid until 2033-05-18
    /// 03:33:20 UTC): T1_R 2.5 (default 2.0)`.
    pub fn summary(&self) -> String {
        let diffs: Vec<String> = self
            .differs()
            .iter()
            .map(|d| {
                format!(
                    "{} {} (default {})",
                    d.key,
                    py_float(d.value),
                    py_float(d.default)
                )
            })
            .collect();
        format!(
            "policy {} (hash {}, valid until {}): {}",
            clip(&self.version),
            self.short_hash(),
            utc_text(self.valid_until_epoch),
            if diffs.is_empty() {
                "every tunable at its default".to_string()
            } else {
                diffs.join(", ")
            }
        )
    }
}

/// Where the theta in force comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum ThetaSource {
    /// The policy store's policy.
    Policy {
        /// The policy.
        policy: Policy,
    },
    /// The default theta, because there is no usable policy.
    Defaults {
        /// Why.
        reason: PolicyError,
    },
    /// A theta given by the user (`--theta FILE`), overriding any policy.
    Override {
        /// Where it came from (the file).
        origin: String,
    },
}

/// The theta reviews and proposals use, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InForce {
    /// The theta.
    pub theta: Theta,
    /// Its source.
    #[serde(flatten)]
    pub source: ThetaSource,
}

impl InForce {
    /// The theta in force given the policy record `f` read at `now`, `fallback_stop_pct` from the
    /// configuration.
    ///
    /// ```
    /// use harvest_records::fields::Fields;
    /// use harvest_records::policy::{InForce, ThetaSource};
    /// let t = InForce::resolve(&Fields::new(), 0.0, 0.02);
    /// assert!(matches!(t.source, ThetaSource::Defaults { .. }));
    /// assert_eq!(t.describe(), "default theta (no policy: quantum:policy:current does not exist)");
    /// ```
    pub fn resolve(f: &Fields, now: f64, fallback_stop_pct: f64) -> InForce {
        match load(f, now) {
            Ok(policy) => InForce {
                theta: policy.theta(fallback_stop_pct),
                source: ThetaSource::Policy { policy },
            },
            Err(reason) => InForce {
                theta: Theta {
                    fallback_stop_pct,
                    ..Theta::default()
                },
                source: ThetaSource::Defaults { reason },
            },
        }
    }

    /// A user's theta.
    pub fn user(theta: Theta, origin: String) -> InForce {
        InForce {
            theta,
            source: ThetaSource::Override { origin },
        }
    }

    /// One line saying which theta is in force.
    pub fn describe(&self) -> String {
        match &self.source {
            ThetaSource::Policy { policy } => policy.summary(),
            ThetaSource::Defaults { reason } => format!("default theta ({reason})"),
            ThetaSource::Override { origin } => {
                format!("theta from {origin} (overrides any policy)")
            }
        }
    }

    /// The policy, when one is in force.
    pub fn policy(&self) -> Option<&Policy> {
        match &self.source {
            ThetaSource::Policy { policy } => Some(policy),
            _ => None,
        }
    }
}

/// The JSON name of a policy line ([`PolicyLine`]).
pub const POLICY_RECORD: &str = "policy_record";

/// The policy record as a reader saw it, with the time it was read: the first line of a
/// `harvest snapshot` file (`{"policy_record": {"key", "fields", "read_at"}}`) and the Live
/// view's `policy` event. Whether it was in force is judged at `read_at`, not when the line is
/// read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PolicyLine {
    /// `quantum:policy:current`.
    pub key: String,
    /// The record's fields (empty: no policy).
    pub fields: Fields,
    /// When it was read (Unix seconds).
    pub read_at: f64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PolicyLineJson {
    policy_record: PolicyLine,
}

impl PolicyLine {
    /// The line's JSON text.
    ///
    /// ```
    /// use harvest_records::fields::Fields;
    /// use harvest_records::policy::PolicyLine;
    /// let l = PolicyLine { key: "quantum:policy:current".into(), fields: Fields::new(), read_at: 1.5 };
    /// let text = l.to_json();
    /// assert_eq!(text, r#"{"policy_record":{"key":"quantum:policy:current","fields":{},"read_at":1.5}}"#);
    /// assert_eq!(PolicyLine::parse(&text), Some(Ok(l)));
    /// assert_eq!(PolicyLine::parse(r#"{"harvest_action":"NONE"}"#), None);
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string(&PolicyLineJson {
            policy_record: self.clone(),
        })
        .unwrap_or_default()
    }

    /// Reads a policy line; `None` when `text` is not one (no `policy_record`), an error message
    /// when it names one but is not readable.
    pub fn parse(text: &str) -> Option<Result<PolicyLine, String>> {
        if !text
            .as_bytes()
            .windows(15)
            .any(|w| w == b"\"policy_record\"")
        {
            return None;
        }
        Some(
            serde_json::from_str::<PolicyLineJson>(text)
                .map(|j| j.policy_record)
                .map_err(|e| format!("policy_record line: {e}")),
        )
    }

    /// The theta in force as of `read_at` (`fallback_stop_pct` the default: records are reviewed
    /// with P1's stop distance as published).
    pub fn in_force(&self) -> InForce {
        InForce::resolve(
            &self.fields,
            self.read_at,
            Theta::default().fallback_stop_pct,
        )
    }
}

/// The hash `PolicyStore.save` stores in the record's own `policy_hash` field: [`policy_hash`]
/// over the fields without it (the hash the running system logs, [`Policy::hash`], is over
/// every field as read, that one included).
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::policy::{policy_hash, saved_hash};
/// let mut f = fields(&[("policy_version", "1")]);
/// let h = policy_hash(&f);
/// f.insert("policy_hash".into(), h.clone());
/// assert_eq!(saved_hash(&f), h);
/// ```
pub fn saved_hash(f: &Fields) -> String {
    let mut f = f.clone();
    f.remove("policy_hash");
    policy_hash(&f)
}

/// A theta as the policy's `harvest_params` JSON (what `PolicyStore.save` stores: Python's
/// `json.dumps` of the 21 tunables P2.5 takes from it, `fallback_stop_pct` excluded), in the
/// kernel's order. Harvest Lab writes this for a person to hand to the policy's author; it never
/// writes the policy store.
///
/// ```
/// use harvest_kernel::Theta;
/// use harvest_records::policy::harvest_params_json;
/// let j = harvest_params_json(&Theta { t1_r: 2.5, ..Theta::default() });
/// assert!(j.starts_with(r#"{"cost_bps": 10.0, "T1_R": 2.5, "T2_R": 4.0,"#), "{j}");
/// assert!(!j.contains("fallback_stop_pct"));
/// ```
pub fn harvest_params_json(theta: &Theta) -> String {
    let items: Vec<String> = ThetaField::ALL
        .iter()
        .filter(|f| **f != ThetaField::FallbackStopPct)
        .map(|f| format!("\"{}\": {}", f.key(), json_float(theta.get(*f))))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// Python's `json.dumps` of a float (`NaN`, `Infinity` for the non-finite).
fn json_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        py_float(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::fields;

    fn good() -> Fields {
        fields(&[
            ("universe_symbols", r#"["BTCUSDT", "ETHUSDT"]"#),
            ("leverage_by_symbol", r#"{"BTCUSDT": 5.0, "ETHUSDT": 3.0}"#),
            (
                "harvest_params",
                r#"{"T1_R": 2.5, "kill_threshold": 0.55, "fallback_stop_pct": 0.05, "note": 1}"#,
            ),
            ("kill_params", r#"{"k_regime_flip": 1.0}"#),
            ("valid_until_epoch", "1767229200.123"),
            ("policy_version", "1.0.0-ai-v1"),
            ("generator", "ai_universe_v1"),
        ])
    }

    #[test]
    fn fail_closed_table() {
        let now = 1_767_225_600.0;
        let with = |k: &str, v: Option<&str>| {
            let mut f = good();
            match v {
                Some(v) => f.insert(k.to_string(), v.to_string()),
                None => f.remove(k),
            };
            f
        };
        let cases: Vec<(Fields, &str)> = vec![
            (Fields::new(), "no policy: quantum:policy:current does not exist"),
            (with("kill_params", None), "policy has no field kill_params"),
            (
                with("harvest_params", Some("{\"T1_R\": 2.5")),
                "policy field harvest_params is not JSON: EOF while parsing an object at line 1 column 12",
            ),
            (
                with("valid_until_epoch", Some("soon")),
                "policy field valid_until_epoch = \"soon\" is not a number",
            ),
            (
                with("valid_until_epoch", Some("1767225599")),
                "policy 1.0.0-ai-v1 expired at 2025-12-31 23:59:59 UTC (valid_until_epoch 1767225599.0)",
            ),
            (
                with("harvest_params", Some("[1]")),
                "policy field harvest_params is an array, not a JSON object of tunables",
            ),
            (
                with("harvest_params", Some("{\"T1_R\": \"2\"}")),
                "policy harvest_params.T1_R = \"2\" is not a number",
            ),
            (
                with("harvest_params", Some("{\"lock_R\": true}")),
                "policy harvest_params.lock_R = true is not a number",
            ),
        ];
        for (f, want) in cases {
            assert_eq!(load(&f, now).unwrap_err().to_string(), want);
        }
        // Expiry is `now > valid_until`; a NaN never expires (as Python compares).
        assert!(load(&with("valid_until_epoch", Some("1767225600")), now).is_ok());
        assert!(load(&with("valid_until_epoch", Some("nan")), 1e18).is_ok());
        let p = load(&good(), now).unwrap();
        assert_eq!(p.version, "1.0.0-ai-v1");
        assert_eq!(p.universe_size, Some(2));
        assert_eq!(p.ignored, ["fallback_stop_pct", "note"]);
        let t = p.theta(0.03);
        assert_eq!(
            (t.t1_r, t.kill_threshold, t.fallback_stop_pct),
            (2.5, 0.55, 0.03)
        );
        assert_eq!(
            p.summary(),
            format!(
                "policy 1.0.0-ai-v1 (hash {}, valid until 2026-01-01 01:00:00 UTC): T1_R 2.5 (default 2.0), kill_threshold 0.55 (default 0.6)",
                &p.hash[..8]
            )
        );
    }

    #[test]
    fn hash_text_escapes_as_python() {
        // Python: json.dumps(sorted(d.items()), sort_keys=True)
        let f = fields(&[("z", "\"q\" \\ \u{7f} \u{1} \u{8}\u{c}\r\t"), ("a", "😀 ü")]);
        assert_eq!(
            hash_input(&f),
            r#"[["a", "\ud83d\ude00 \u00fc"], ["z", "\"q\" \\ \u007f \u0001 \b\f\r\t"]]"#
        );
        // Python: hashlib.sha256(json.dumps(sorted({"b": "2", "a": "é\n"}.items()),
        // sort_keys=True).encode()).hexdigest()
        assert_eq!(
            policy_hash(&fields(&[("b", "2"), ("a", "é\n")])),
            "d429edb76c92d1bfc13010ba547e5826b2b17ea51cb058c8d445a043da09503f"
        );
    }

    #[test]
    fn harvest_params_round_trip() {
        let t = Theta {
            t1_r: 2.25,
            k_age_penalty: 0.0,
            max_age_sec: 172_800.0,
            ..Theta::default()
        };
        let json = harvest_params_json(&t);
        let mut f = good();
        f.insert("harvest_params".into(), json);
        let back = load(&f, 0.0).unwrap();
        assert_eq!(back.theta(t.fallback_stop_pct), t);
        assert_eq!(back.params.len(), 21);
        assert!(back.ignored.is_empty());
    }
}
