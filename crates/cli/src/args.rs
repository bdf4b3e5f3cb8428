//! clap value parsers of the `harvest` options (axes, ranges, grid sides), with typed errors.

use harvest_features::charts::MAX_GRID;
use harvest_features::format::{shorten, Short};
use harvest_features::replay::Sides;
use harvest_kernel::{Axis, PARAMS};

/// Why an option value was refused; the message names the value and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArgError {
    /// Not an axis name.
    #[error("unknown axis “{}”; allowed: {}", shorten(.0), axis_names())]
    UnknownAxis(String),
    /// No `a:b`.
    #[error("“{}” is not a range: expected a:b, e.g. 0:0.05", shorten(.0))]
    NotARange(String),
    /// An end of a range that is no finite number.
    #[error("“{}” is not a finite number", shorten(.0))]
    NotANumber(String),
    /// `a ≥ b`.
    #[error("range {}:{} is empty: the first number must be below the second", Short(*.0), Short(*.1))]
    EmptyRange(f64, f64),
    /// Not a side choice of `backtest --side`.
    #[error("`{}`: expected long, short or both", harvest_kernel::echo::Echo(.0))]
    Sides(String),
    /// Not an integer in `2..=MAX_GRID`.
    #[error("“{}” is not a grid size: expected an integer from 2 to {MAX_GRID}", shorten(.0))]
    GridSide(String),
}

/// The allowed axis names, for messages: the five inputs and the 22 tunables.
pub fn axis_names() -> String {
    let inputs: Vec<&str> = Axis::INPUTS.iter().map(|a| a.key()).collect();
    let thetas: Vec<&str> = PARAMS.iter().map(|p| p.key).collect();
    format!(
        "{}, or a theta key ({})",
        inputs.join(", "),
        thetas.join(", ")
    )
}

/// Parses an axis name ([`Axis::from_key`]).
///
/// # Errors
/// [`ArgError::UnknownAxis`], naming the text and the allowed names.
///
/// ```
/// use harvest_kernel::Axis;
/// use harvest_cli::args::parse_axis;
/// assert_eq!(parse_axis("age_sec"), Ok(Axis::AgeSec));
/// assert!(parse_axis("age").unwrap_err().to_string().contains("p_trend"));
/// ```
pub fn parse_axis(s: &str) -> Result<Axis, ArgError> {
    Axis::from_key(s.trim()).ok_or_else(|| ArgError::UnknownAxis(s.to_string()))
}

/// Parses a range `a:b` (finite numbers, `a < b`).
///
/// # Errors
/// [`ArgError::NotARange`], [`ArgError::NotANumber`] or [`ArgError::EmptyRange`].
///
/// ```
/// use harvest_cli::args::{parse_range, ArgError};
/// assert_eq!(parse_range("-10:2.5"), Ok((-10.0, 2.5)));
/// assert_eq!(parse_range("3:1"), Err(ArgError::EmptyRange(3.0, 1.0)));
/// assert!(parse_range("1..3").is_err());
/// ```
pub fn parse_range(s: &str) -> Result<(f64, f64), ArgError> {
    let (a, b) = s
        .split_once(':')
        .ok_or_else(|| ArgError::NotARange(s.to_string()))?;
    let num = |t: &str| {
        harvest_features::format::parse_f64_std(t.trim())
            .filter(|v| v.is_finite())
            .ok_or_else(|| ArgError::NotANumber(t.to_string()))
    };
    let (lo, hi) = (num(a)?, num(b)?);
    if lo < hi {
        Ok((lo, hi))
    } else {
        Err(ArgError::EmptyRange(lo, hi))
    }
}

/// Parses a grid side: an integer in `2..=`[`MAX_GRID`].
///
/// # Errors
/// [`ArgError::GridSide`], naming the allowed range.
///
/// ```
/// use harvest_cli::args::parse_grid_side;
/// assert_eq!(parse_grid_side("64"), Ok(64));
/// assert!(parse_grid_side("1").unwrap_err().to_string().contains("2 to 1024"));
/// ```
pub fn parse_grid_side(s: &str) -> Result<usize, ArgError> {
    s.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (2..=MAX_GRID).contains(n))
        .ok_or_else(|| ArgError::GridSide(s.to_string()))
}

/// Parses `backtest --side`: `long`, `short` or `both` ([`Sides::parse`]).
///
/// # Errors
/// [`ArgError::Sides`], naming the text and the allowed values.
///
/// ```
/// use harvest_cli::args::parse_sides;
/// use harvest_features::replay::Sides;
/// assert_eq!(parse_sides("both"), Ok(Sides::Both));
/// assert!(parse_sides("up").unwrap_err().to_string().contains("long, short or both"));
/// ```
pub fn parse_sides(s: &str) -> Result<Sides, ArgError> {
    Sides::parse(s).ok_or_else(|| ArgError::Sides(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages as the CLI printed them before the typed errors.
    #[test]
    fn messages() {
        let cases: [(ArgError, &str); 5] = [
            (
                parse_range("x").unwrap_err(),
                "“x” is not a range: expected a:b, e.g. 0:0.05",
            ),
            (
                parse_range("1:nan").unwrap_err(),
                "“nan” is not a finite number",
            ),
            (
                parse_range("2:0.5").unwrap_err(),
                "range 2:0.5 is empty: the first number must be below the second",
            ),
            (
                parse_grid_side("1025").unwrap_err(),
                "“1025” is not a grid size: expected an integer from 2 to 1024",
            ),
            (
                parse_sides("up").unwrap_err(),
                "`up`: expected long, short or both",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
        let e = parse_axis("vol").unwrap_err().to_string();
        assert!(e.starts_with("unknown axis “vol”; allowed: pnl, p_trend, sigma, ts, age_sec, or a theta key (fallback_stop_pct, "), "{e}");
    }
}
