//! The dashboard's reviewer mode as plain data: reading inputs a slice at a time ([`Loader`]),
//! the loaded batches with their receipts and exports ([`Store`]), the records table (filter,
//! sort, page), and what the view shows of them ([`display`]: cell texts, file cards, counts).
//!
//! Pure and natively tested; every comparison is [`crate::reviewer::verify`]'s. The dashboard's
//! reviewer components (`harvest-web`, `src/reviewer/`) only place this in markup.

mod display;
mod explain;
mod loader;
pub mod published;
mod row;
pub mod second_opinion;
mod store;
mod table;
pub mod verify;

pub use display::{
    action_class, diff_note, num_cell, page_rows, page_text, rounded_pair, sci_cell,
    tolerance_text, verdict_class, verdict_key, BatchCard, Chip, DiffCells, RowCells, RowDetail,
    CARD_ERRORS,
};
pub use explain::{explain, Explanation, Severity};
pub use loader::{Digest, Loader, MAX_DOCUMENT_BYTES};
pub use store::{
    rereview, Batch, BatchStatus, CompareLine, Export, ExportFile, LoadError, OpenedRecord, RowRef,
    Store,
};
pub use table::{
    page_info, select, verdict_from_str, ActionFilter, Column, Filter, PageInfo, PageMove, Sort,
    PAGE_SIZE,
};

use harvest_kernel::Tolerance;

/// Why a tolerance typed in the reviewer was refused: which bound, the text, what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToleranceError {
    /// The absolute tolerance is not a number ≥ 0.
    #[error("Absolute tolerance: “{}” is not a number ≥ 0", harvest_kernel::echo::Echo(.0))]
    Abs(String),
    /// The relative tolerance is not a number ≥ 0.
    #[error("Relative tolerance: “{}” is not a number ≥ 0", harvest_kernel::echo::Echo(.0))]
    Rel(String),
}

/// The tolerance typed in the reviewer's two boxes (a number ≥ 0 each, as the explorer reads
/// numbers: `1e-9`, `0,5`, `1 000`).
///
/// # Errors
/// [`ToleranceError`] naming the first box whose text is no number ≥ 0 (the text trimmed).
///
/// ```
/// use harvest_kernel::Tolerance;
/// use harvest_features::reviewer::{parse_tolerance, ToleranceError};
/// assert_eq!(parse_tolerance("1", " 0,5 "), Ok(Tolerance { abs: 1.0, rel: 0.5 }));
/// assert_eq!(parse_tolerance("-1", "x"), Err(ToleranceError::Abs("-1".into())));
/// assert_eq!(
///     parse_tolerance("1e-9", " x ").unwrap_err().to_string(),
///     "Relative tolerance: “x” is not a number ≥ 0"
/// );
/// ```
pub fn parse_tolerance(abs: &str, rel: &str) -> Result<Tolerance, ToleranceError> {
    let read =
        |text: &str| crate::format::parse_number(text).filter(|v| *v >= 0.0 && v.is_finite());
    let abs_v = read(abs).ok_or_else(|| ToleranceError::Abs(abs.trim().to_string()))?;
    let rel_v = read(rel).ok_or_else(|| ToleranceError::Rel(rel.trim().to_string()))?;
    Ok(Tolerance {
        abs: abs_v,
        rel: rel_v,
    })
}

/// The largest difference `tol` allows between a numeric diff's two values
/// (`max(abs, rel × max(|recorded|, |recomputed|))`, the scale taken back from the diff's own
/// `abs_diff / rel_diff`); `None` for a field that is no number.
///
/// ```
/// use harvest_kernel::{FieldDiff, Tolerance};
/// use harvest_features::reviewer::allowed_diff;
/// let d = FieldDiff {
///     field: "R_net".into(), recorded: "2.5".into(), recomputed: "2.0".into(),
///     abs_diff: Some(0.5), rel_diff: Some(0.2), why: String::new(),
/// };
/// assert_eq!(allowed_diff(&d, &Tolerance { abs: 1e-9, rel: 0.1 }), Some(0.25));
/// ```
pub fn allowed_diff(d: &harvest_kernel::FieldDiff, tol: &harvest_kernel::Tolerance) -> Option<f64> {
    let abs = d.abs_diff?;
    let scale = match d.rel_diff {
        Some(rel) if rel > 0.0 => abs / rel,
        _ => 0.0,
    };
    Some(tol.abs.max(tol.rel * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_boxes() {
        let ok = |a: &str, r: &str| parse_tolerance(a, r).unwrap();
        assert_eq!(ok("0", "0"), Tolerance { abs: 0.0, rel: 0.0 });
        assert_eq!(
            ok(" 1e-9 ", "1E-6"),
            Tolerance {
                abs: 1e-9,
                rel: 1e-6
            }
        );
        assert_eq!(ok("1", "0,5"), Tolerance { abs: 1.0, rel: 0.5 });
        let cases = [
            ("", "1", ToleranceError::Abs(String::new())),
            ("-1", "1", ToleranceError::Abs("-1".into())),
            ("abc", "-2", ToleranceError::Abs("abc".into())),
            ("1", " nope ", ToleranceError::Rel("nope".into())),
            ("1", "-0.1", ToleranceError::Rel("-0.1".into())),
            ("1", "1e400", ToleranceError::Rel("1e400".into())),
        ];
        for (a, r, want) in cases {
            assert_eq!(parse_tolerance(a, r), Err(want), "{a:?} {r:?}");
        }
        assert_eq!(
            ToleranceError::Abs("-1".into()).to_string(),
            "Absolute tolerance: “-1” is not a number ≥ 0"
        );
    }
}
