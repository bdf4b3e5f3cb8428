//! Candles from numbers rather than CSV text: freqtrade's `json`/`jsongz` files
//! ([`import_freqtrade_json`]) and the columns of its `feather` files (read by the CLI with the
//! Arrow crates, then [`candles_from_rows`]). The same rules as the CSV import: every bar's
//! prices positive and consistent, bars oldest first, a repeated time keeps the first row, and
//! each row left out is reported with its number.

use crate::datetime::parse_time;
use crate::prices::{ohlc_bar, BarError, LineProblem, PriceError, ProblemKind};
use crate::Bar;

/// The bars of a candle file and the rows left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Candles {
    /// The bars, oldest first, one per time.
    pub bars: Vec<Bar>,
    /// Rows left out (row numbers from 1).
    pub problems: Vec<LineProblem>,
}

/// One row of numbers: epoch time (seconds, milliseconds or microseconds, told apart by size),
/// open, high, low, close, volume.
pub type Row = (f64, [Option<f64>; 4], Option<f64>);

fn check(time: f64, p: [Option<f64>; 4], volume: Option<f64>) -> Result<Bar, BarError> {
    if !time.is_finite() || time.fract() != 0.0 || time.abs() >= 1e18 {
        return Err(BarError::NotANumber {
            column: "date",
            text: if time.is_nan() {
                "(missing)".to_string()
            } else {
                format!("{time}")
            },
        });
    }
    let time = parse_time(&format!("{time:.0}"))?;
    let names = ["open", "high", "low", "close"];
    let mut v = [0.0; 4];
    for (k, (x, column)) in p.iter().zip(names).enumerate() {
        v[k] = match *x {
            None => return Err(BarError::EmptyPrice { column }),
            Some(x) if x.is_finite() && x > 0.0 => x,
            Some(value) => return Err(BarError::NotAPrice { column, value }),
        };
    }
    ohlc_bar(time, v, || match volume {
        Some(x) if !(x.is_finite() && x >= 0.0) => Err(BarError::Volume {
            text: format!("{x}"),
        }),
        v => Ok(v),
    })
}

/// Bars from rows of numbers (row numbers from 1 in problems).
///
/// # Errors
/// [`PriceError::Empty`] without rows, [`PriceError::NoBars`] when no row is a bar.
///
/// ```
/// use harvest_market::candles_from_rows;
/// let rows = [
///     (1_700_003_600_000.0, [Some(2.0), Some(3.0), Some(1.5), Some(2.5)], Some(10.0)),
///     (1_700_000_000_000.0, [Some(1.0), Some(2.0), Some(0.5), Some(1.5)], None),
///     (1_700_000_000_000.0, [Some(9.0), Some(9.0), Some(9.0), Some(9.0)], None),
///     (1_700_007_200_000.0, [Some(1.0), Some(0.5), Some(0.4), Some(0.6)], None),
/// ];
/// let c = candles_from_rows(rows.into_iter().map(Ok)).unwrap();
/// assert_eq!(c.bars.len(), 2);
/// assert_eq!(c.bars[0].time, 1_700_000_000);
/// assert_eq!(c.problems.len(), 2); // row 3 repeats a time, row 4's high is below its open
/// ```
pub fn candles_from_rows(
    rows: impl IntoIterator<Item = Result<Row, BarError>>,
) -> Result<Candles, PriceError> {
    let mut bars: Vec<(Bar, usize)> = Vec::new();
    let mut problems = Vec::new();
    let mut n = 0;
    for (k, row) in rows.into_iter().enumerate() {
        n += 1;
        match row.and_then(|(t, p, v)| check(t, p, v)) {
            Ok(b) => bars.push((b, k + 1)),
            Err(e) => problems.push(LineProblem {
                line: k + 1,
                kind: ProblemKind::Bad,
                message: e.to_string(),
            }),
        }
    }
    if n == 0 {
        return Err(PriceError::Empty);
    }
    if bars.is_empty() {
        return Err(PriceError::NoBars { problems });
    }
    bars.sort_by_key(|(b, row)| (b.time, *row));
    let mut out: Vec<Bar> = Vec::with_capacity(bars.len());
    for (b, row) in bars {
        if out.last().is_some_and(|l| l.time == b.time) {
            problems.push(LineProblem {
                line: row,
                kind: ProblemKind::Duplicate,
                message: format!("time {} repeats an earlier row", crate::format_iso(b.time)),
            });
        } else {
            out.push(b);
        }
    }
    problems.sort_by_key(|p| p.line);
    Ok(Candles {
        bars: out,
        problems,
    })
}

/// Reads freqtrade's `json` candles: an array of `[date, open, high, low, close, volume]` rows,
/// `date` in epoch milliseconds (as freqtrade writes it; seconds and microseconds are read too).
/// A row that is not such an array is reported and left out.
///
/// # Errors
/// [`PriceError::UnknownLayout`] when the text is not a JSON array, and the errors of
/// [`candles_from_rows`].
///
/// ```
/// use harvest_market::import_freqtrade_json;
/// let c = import_freqtrade_json("[[1700000000000,1.0,2.0,0.5,1.5,12.5],[1700003600000,1.5,2,1,1.2,null]]").unwrap();
/// assert_eq!(c.bars.len(), 2);
/// assert_eq!(c.bars[1].volume, None);
/// ```
pub fn import_freqtrade_json(text: &str) -> Result<Candles, PriceError> {
    let text = text.trim_start_matches('\u{feff}');
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(text).map_err(|e| PriceError::UnknownLayout {
            line: e.line(),
            found: format!(
                "not freqtrade json candles ([[date, open, high, low, close, volume], …]): {e}"
            ),
        })?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let cells = row.as_array().map(Vec::as_slice).unwrap_or(&[]);
        let num = |i: usize| cells.get(i).and_then(serde_json::Value::as_f64);
        if cells.len() < 5 {
            out.push(Err(BarError::TooFewFields {
                needed: 5,
                got: cells.len(),
            }));
            continue;
        }
        out.push(Ok((
            num(0).unwrap_or(f64::NAN),
            [num(1), num(2), num(3), num(4)],
            num(5),
        )));
    }
    candles_from_rows(out)
}
