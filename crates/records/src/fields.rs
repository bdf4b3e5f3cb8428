//! A record as Redis holds it (field → text) and the typed errors of reading one: each names
//! the key and the field, and echoes at most [`ECHO_CHARS`] characters of the value.

use std::collections::BTreeMap;

use crate::num::parse_finite;

/// A Redis hash or stream entry: field name → text, in name order.
pub type Fields = BTreeMap<String, String>;

/// Longest value echoed in an error message (characters); longer ones end in `…`.
pub const ECHO_CHARS: usize = 100;

/// `text` for an error message: at most [`ECHO_CHARS`] characters.
///
/// ```
/// use harvest_records::fields::clip;
/// assert_eq!(clip("abc"), "abc");
/// assert_eq!(clip(&"x".repeat(500)).chars().count(), 101);
/// ```
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        None => text.to_string(),
        Some((i, _)) => format!("{}…", &text[..i]),
    }
}

/// Why a record's field cannot be used. Every variant names the Redis key (or stream entry).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// The hash does not exist (or is empty).
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
    /// A required field is the empty text.
    #[error("{key}: field `{field}` is empty")]
    EmptyField {
        /// The Redis key.
        key: String,
        /// The field name.
        field: &'static str,
    },
    /// A field that must be a number is not one (or is NaN/∞).
    #[error("{key}: field `{field}` = {:?} is not a finite number", clip(.value))]
    NotANumber {
        /// The Redis key.
        key: String,
        /// The field name.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// `side` is not a side.
    #[error("{key}: field `side` = {:?} is not LONG/BUY or SHORT/SELL (nor FLAT/NONE/CLOSED for no position)", clip(.value))]
    BadSide {
        /// The Redis key.
        key: String,
        /// The text found.
        value: String,
    },
}

impl FieldError {
    /// The Redis key concerned.
    pub fn key(&self) -> &str {
        match self {
            FieldError::MissingKey { key }
            | FieldError::MissingField { key, .. }
            | FieldError::EmptyField { key, .. }
            | FieldError::NotANumber { key, .. }
            | FieldError::BadSide { key, .. } => key,
        }
    }
}

/// Whether a field's text means "no value": empty, `None` (Python's `str(None)`) or `null`.
///
/// ```
/// use harvest_records::fields::is_none_text;
/// assert!(is_none_text(" None "));
/// assert!(!is_none_text("0"));
/// ```
pub fn is_none_text(v: &str) -> bool {
    let t = v.trim();
    t.is_empty() || t == "None" || t == "null" || t == "NULL"
}

/// A required finite number: missing, empty or not a number is an error naming key and field.
///
/// # Errors
/// [`FieldError::MissingField`], [`FieldError::EmptyField`] or [`FieldError::NotANumber`].
///
/// ```
/// use harvest_records::fields::{required, Fields};
/// let f: Fields = [("sigma".to_string(), "0.01".to_string())].into();
/// assert_eq!(required("k", &f, "sigma"), Ok(0.01));
/// assert!(required("k", &f, "ts").is_err());
/// ```
pub fn required(key: &str, f: &Fields, field: &'static str) -> Result<f64, FieldError> {
    match f.get(field) {
        None => Err(FieldError::MissingField {
            key: key.to_string(),
            field,
        }),
        Some(v) if v.trim().is_empty() => Err(FieldError::EmptyField {
            key: key.to_string(),
            field,
        }),
        Some(v) => parse_finite(v).ok_or_else(|| FieldError::NotANumber {
            key: key.to_string(),
            field,
            value: v.clone(),
        }),
    }
}

/// An optional finite number: absent, empty, `None` or `null` is `Ok(None)`.
///
/// # Errors
/// [`FieldError::NotANumber`] for other text that is no finite number.
pub fn optional(key: &str, f: &Fields, field: &'static str) -> Result<Option<f64>, FieldError> {
    match f.get(field) {
        None => Ok(None),
        Some(v) if is_none_text(v) => Ok(None),
        Some(v) => parse_finite(v)
            .map(Some)
            .ok_or_else(|| FieldError::NotANumber {
                key: key.to_string(),
                field,
                value: v.clone(),
            }),
    }
}

/// Fields from `(name, value)` pairs.
///
/// ```
/// use harvest_records::fields::fields;
/// assert_eq!(fields(&[("a", "1")])["a"], "1");
/// ```
pub fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
