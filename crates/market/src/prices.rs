//! Price files: OHLC(V) bars from the common CSV exports, format detected, sorted oldest first,
//! bad and duplicate lines reported with their line numbers while the rest loads.
//!
//! Detected layouts:
//! - **CryptoDataDownload**: a banner line (`…CryptoDataDownload.com`) before the header, newest
//!   bar first, times like `2019-10-17 09-AM`.
//! - **Header CSV**: a header naming `open`, `high`, `low`, `close` in any order and case, a time
//!   column (`date`, `time`, `timestamp`, `datetime`, `unix`, `open_time`, … or any name containing
//!   `date` or `time`; else an unnamed first column, as pandas writes its index) and optionally a
//!   volume column (the first whose name starts with `vol`); other columns are ignored.
//! - **Binance klines**: no header; `open_time, open, high, low, close, volume, …`.
//!
//! Times: ISO dates with or without time (UTC unless an offset is given), epoch seconds,
//! milliseconds or microseconds (see [`crate::parse_time`]). Gaps are allowed.

use serde::{Deserialize, Serialize};

use crate::datetime::{format_iso, parse_time, TimeError};
use crate::Bar;

/// The layout a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceFormat {
    /// CryptoDataDownload export: banner line, header, newest first.
    CryptoDataDownload,
    /// A CSV with a header row (pandas, exchanges, spreadsheets).
    HeaderCsv,
    /// Binance kline CSV without a header.
    BinanceKlines,
}

impl PriceFormat {
    /// A name a user can read.
    ///
    /// ```
    /// assert_eq!(harvest_market::PriceFormat::BinanceKlines.label(), "Binance klines");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            PriceFormat::CryptoDataDownload => "CryptoDataDownload",
            PriceFormat::HeaderCsv => "CSV with header",
            PriceFormat::BinanceKlines => "Binance klines",
        }
    }
}

/// What was wrong with a line that was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The line could not be read as a bar (time, a price, a missing field, inconsistent OHLC).
    Bad,
    /// Another line has the same time; the first in the file is kept.
    Duplicate,
}

/// A line left out of the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    /// 1-based line number in the file.
    pub line: usize,
    /// Bad or duplicate.
    pub kind: ProblemKind,
    /// What was wrong, e.g. `high 10 is below low 11`.
    pub message: String,
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The bars of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceImport {
    /// The bars, sorted oldest first, one per time.
    pub bars: Vec<Bar>,
    /// The layout detected.
    pub format: PriceFormat,
    /// Bad or duplicate lines, by line number; the other lines loaded.
    pub problems: Vec<LineProblem>,
}

/// Why a file gave no bars at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriceError {
    /// The text has no lines.
    #[error("the file is empty")]
    Empty,
    /// No header with time and OHLC columns, and the first line is not a headerless kline.
    #[error("line {line}: no price columns found in {found:?}: expected a header with a time column and open, high, low, close (any order), or Binance klines without a header")]
    UnknownLayout {
        /// The line looked at last (1 or 2).
        line: usize,
        /// Its text.
        found: String,
    },
    /// The layout was recognised but no line gave a bar.
    #[error("no bar could be read ({} bad lines; first: {})", problems.len(), problems.first().map_or_else(String::new, ToString::to_string))]
    NoBars {
        /// Every line's problem.
        problems: Vec<LineProblem>,
    },
}

/// Why a line is not a bar (the message of its [`LineProblem`]): each names the column, the
/// value and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BarError {
    /// The CSV reader refused the line (e.g. an unclosed quote): its message.
    #[error("{0}")]
    Csv(String),
    /// Fewer fields than the layout's columns.
    #[error("expected at least {needed} fields, got {got}")]
    TooFewFields {
        /// Fields the layout needs.
        needed: usize,
        /// Fields on the line.
        got: usize,
    },
    /// The time cell is no time.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// A price cell is empty.
    #[error("{column} is empty")]
    EmptyPrice {
        /// `open`, `high`, `low` or `close`.
        column: &'static str,
    },
    /// A price cell is no number.
    #[error("{column} {text:?} is not a number")]
    NotANumber {
        /// `open`, `high`, `low` or `close`.
        column: &'static str,
        /// The cell, trimmed.
        text: String,
    },
    /// A price that is not finite and > 0.
    #[error("{column} {value} is not a price > 0")]
    NotAPrice {
        /// `open`, `high`, `low` or `close`.
        column: &'static str,
        /// The number.
        value: f64,
    },
    /// High below low.
    #[error("high {high} is below low {low}")]
    HighBelowLow {
        /// The high.
        high: f64,
        /// The low.
        low: f64,
    },
    /// High below the open or the close.
    #[error("high {high} is below open/close {body}")]
    HighBelowBody {
        /// The high.
        high: f64,
        /// The larger of open and close.
        body: f64,
    },
    /// Low above the open or the close.
    #[error("low {low} is above open/close {body}")]
    LowAboveBody {
        /// The low.
        low: f64,
        /// The smaller of open and close.
        body: f64,
    },
    /// A volume cell that is not a number ≥ 0 (an empty one means no volume).
    #[error("volume {text:?} is not a number ≥ 0")]
    Volume {
        /// The cell, trimmed.
        text: String,
    },
}

/// Column positions of a layout.
#[derive(Debug, Clone, Copy)]
struct Columns {
    time: usize,
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: Option<usize>,
}

impl Columns {
    fn needed(&self) -> usize {
        [self.time, self.open, self.high, self.low, self.close]
            .into_iter()
            .chain(self.volume)
            .max()
            .unwrap_or(0)
            + 1
    }
}

const TIME_NAMES: [&str; 14] = [
    "date",
    "time",
    "timestamp",
    "datetime",
    "date_time",
    "unix",
    "unix timestamp",
    "unix_timestamp",
    "open_time",
    "open time",
    "opentime",
    "ts",
    "date (utc)",
    "time (utc)",
];

/// The columns of a header row, if it names a time column and all four prices.
fn header_columns(rec: &csv::StringRecord) -> Option<Columns> {
    let names: Vec<String> = rec.iter().map(|c| c.trim().to_ascii_lowercase()).collect();
    let find = |n: &str| names.iter().position(|c| c == n);
    let (open, high, low, close) = (find("open")?, find("high")?, find("low")?, find("close")?);
    let time = names
        .iter()
        .position(|c| TIME_NAMES.contains(&c.as_str()))
        .or_else(|| {
            names
                .iter()
                .position(|c| c.contains("date") || c.contains("time"))
        })
        .or_else(|| {
            let first = names.first()?;
            (first.is_empty() || first.starts_with("unnamed")).then_some(0)
        })?;
    let volume = names.iter().position(|c| c.starts_with("vol"));
    Some(Columns {
        time,
        open,
        high,
        low,
        close,
        volume,
    })
}

/// Binance's kline layout, if the record reads as one.
fn kline_columns(rec: &csv::StringRecord) -> Option<Columns> {
    if rec.len() < 5 || parse_time(&rec[0]).is_err() {
        return None;
    }
    if !(1..5).all(|i| rec[i].trim().parse::<f64>().is_ok()) {
        return None;
    }
    Some(Columns {
        time: 0,
        open: 1,
        high: 2,
        low: 3,
        close: 4,
        volume: (rec.len() > 5).then_some(5),
    })
}

fn price(rec: &csv::StringRecord, col: usize, column: &'static str) -> Result<f64, BarError> {
    let cell = rec[col].trim();
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(value) => Err(BarError::NotAPrice { column, value }),
        Err(_) if cell.is_empty() => Err(BarError::EmptyPrice { column }),
        Err(_) => Err(BarError::NotANumber {
            column,
            text: cell.into(),
        }),
    }
}

fn read_bar(rec: &csv::StringRecord, c: &Columns) -> Result<Bar, BarError> {
    if rec.len() < c.needed() {
        return Err(BarError::TooFewFields {
            needed: c.needed(),
            got: rec.len(),
        });
    }
    let time = parse_time(&rec[c.time])?;
    let open = price(rec, c.open, "open")?;
    let high = price(rec, c.high, "high")?;
    let low = price(rec, c.low, "low")?;
    let close = price(rec, c.close, "close")?;
    if high < low {
        return Err(BarError::HighBelowLow { high, low });
    }
    if high < open.max(close) {
        return Err(BarError::HighBelowBody {
            high,
            body: open.max(close),
        });
    }
    if low > open.min(close) {
        return Err(BarError::LowAboveBody {
            low,
            body: open.min(close),
        });
    }
    let volume = match c.volume {
        None => None,
        Some(v) => {
            let cell = rec[v].trim();
            if cell.is_empty() {
                None
            } else {
                match cell.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
                    _ => return Err(BarError::Volume { text: cell.into() }),
                }
            }
        }
    };
    Ok(Bar {
        time,
        open,
        high,
        low,
        close,
        volume,
    })
}

/// Reads the bars of a price file (any of the layouts in the module documentation).
///
/// Lines that cannot be read (a bad time or price, missing fields, high below low, …) and lines
/// whose time repeats an earlier line's are reported in `problems` with their 1-based line numbers;
/// every other line loads. The bars are sorted oldest first whatever the file's order.
///
/// # Errors
/// [`PriceError::Empty`] for no lines, [`PriceError::UnknownLayout`] when neither of the first two
/// lines is a usable header and the first is not a kline, [`PriceError::NoBars`] when no line
/// loads.
///
/// ```
/// use harvest_market::{import_prices, PriceFormat};
/// let text = "Timestamp,Open,High,Low,Close\n2024-01-02,11,12,10,11.5\n2024-01-01,10,11,9,10.5\n2024-01-01,1,1,1,1\n";
/// let got = import_prices(text).unwrap();
/// assert_eq!(got.format, PriceFormat::HeaderCsv);
/// assert_eq!(got.bars.len(), 2);
/// assert_eq!(got.bars[0].close, 10.5);
/// assert_eq!(got.problems[0].line, 4);
/// ```
pub fn import_prices(text: &str) -> Result<PriceImport, PriceError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut problems = Vec::new();
    // csv positions a record where its parse began: at the blank lines before it, if any.
    let bytes = text.as_bytes();
    let line_of = |pos: Option<&csv::Position>| {
        pos.map_or(0, |p| {
            let blank = bytes
                .get(p.byte() as usize..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .filter(|&&b| b == b'\n')
                .count();
            p.line() as usize + blank
        })
    };
    let mut next = || -> Option<(usize, Result<csv::StringRecord, BarError>)> {
        let r = records.next()?;
        Some(match r {
            Ok(rec) => (line_of(rec.position()), Ok(rec)),
            Err(e) => (line_of(e.position()), Err(BarError::Csv(e.to_string()))),
        })
    };
    // The layout, from the first one or two records.
    let (first_line, first) = match next() {
        None => return Err(PriceError::Empty),
        Some((line, Ok(rec))) => (line, rec),
        Some((line, Err(e))) => {
            return Err(PriceError::UnknownLayout {
                line,
                found: e.to_string(),
            })
        }
    };
    let mut pending = None;
    let (format, cols) = if let Some(c) = header_columns(&first) {
        (PriceFormat::HeaderCsv, c)
    } else if let Some(c) = kline_columns(&first) {
        pending = Some((first_line, first.clone()));
        (PriceFormat::BinanceKlines, c)
    } else {
        let banner = first.iter().collect::<Vec<_>>().join(",");
        match next() {
            Some((_, Ok(rec))) => match header_columns(&rec) {
                Some(c) if banner.to_ascii_lowercase().contains("cryptodatadownload") => {
                    (PriceFormat::CryptoDataDownload, c)
                }
                Some(c) => (PriceFormat::HeaderCsv, c),
                None => {
                    return Err(PriceError::UnknownLayout {
                        line: first_line,
                        found: banner,
                    })
                }
            },
            _ => {
                return Err(PriceError::UnknownLayout {
                    line: first_line,
                    found: banner,
                })
            }
        }
    };
    // (time, line, bar) in file order.
    let mut rows: Vec<(usize, Bar)> = Vec::new();
    let mut handle = |line: usize, rec: Result<csv::StringRecord, BarError>| match rec
        .and_then(|r| read_bar(&r, &cols))
    {
        Ok(bar) => rows.push((line, bar)),
        Err(e) => problems.push(LineProblem {
            line,
            kind: ProblemKind::Bad,
            message: e.to_string(),
        }),
    };
    if let Some((line, rec)) = pending {
        handle(line, Ok(rec));
    }
    while let Some((line, rec)) = next() {
        // A line of spaces (or of empty fields) is blank, not bad.
        if rec.as_ref().is_ok_and(|r| r.iter().all(str::is_empty)) {
            continue;
        }
        handle(line, rec);
    }
    // Oldest first; among equal times the first line in the file wins.
    rows.sort_by_key(|(line, bar)| (bar.time, *line));
    let mut bars: Vec<Bar> = Vec::with_capacity(rows.len());
    let mut kept_line = 0;
    for (line, bar) in rows {
        match bars.last() {
            Some(prev) if prev.time == bar.time => problems.push(LineProblem {
                line,
                kind: ProblemKind::Duplicate,
                message: format!(
                    "duplicate time {} (line {kept_line} is kept)",
                    format_iso(bar.time)
                ),
            }),
            _ => {
                kept_line = line;
                bars.push(bar);
            }
        }
    }
    problems.sort_by_key(|p| p.line);
    if bars.is_empty() {
        return Err(PriceError::NoBars { problems });
    }
    Ok(PriceImport {
        bars,
        format,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_name_the_column_the_value_and_the_rule() {
        let cases: [(&str, BarError, &str); 9] = [
            (
                "2024-01-02,1,2,0.5",
                BarError::TooFewFields { needed: 6, got: 4 },
                "expected at least 6 fields, got 4",
            ),
            (
                "2024-13-02,1,2,0.5,1,1",
                BarError::Time(TimeError::OutOfRange {
                    part: "month",
                    value: 13,
                    min: 1,
                    max: 12,
                    text: "2024-13-02".into(),
                }),
                "month 13 out of range in \"2024-13-02\": expected 1 to 12",
            ),
            (
                "2024-01-02,,2,0.5,1,1",
                BarError::EmptyPrice { column: "open" },
                "open is empty",
            ),
            (
                "2024-01-02,1,x,0.5,1,1",
                BarError::NotANumber {
                    column: "high",
                    text: "x".into(),
                },
                "high \"x\" is not a number",
            ),
            (
                "2024-01-02,1,2,0,1,1",
                BarError::NotAPrice {
                    column: "low",
                    value: 0.0,
                },
                "low 0 is not a price > 0",
            ),
            (
                "2024-01-02,1,2,3,1,1",
                BarError::HighBelowLow {
                    high: 2.0,
                    low: 3.0,
                },
                "high 2 is below low 3",
            ),
            (
                "2024-01-02,1,2,0.5,2.5,1",
                BarError::HighBelowBody {
                    high: 2.0,
                    body: 2.5,
                },
                "high 2 is below open/close 2.5",
            ),
            (
                "2024-01-02,1,2,1.5,1.2,1",
                BarError::LowAboveBody {
                    low: 1.5,
                    body: 1.0,
                },
                "low 1.5 is above open/close 1",
            ),
            (
                "2024-01-02,1,2,0.5,1,-3",
                BarError::Volume { text: "-3".into() },
                "volume \"-3\" is not a number ≥ 0",
            ),
        ];
        let cols = Columns {
            time: 0,
            open: 1,
            high: 2,
            low: 3,
            close: 4,
            volume: Some(5),
        };
        for (line, want, message) in cases {
            let rec = csv::StringRecord::from(line.split(',').collect::<Vec<_>>());
            let got = read_bar(&rec, &cols).unwrap_err();
            assert_eq!(got, want, "{line}");
            assert_eq!(got.to_string(), message, "{line}");
            // The same message reaches the user as the line's problem.
            let text = format!("time,open,high,low,close,volume\n2024-01-01,1,1,1,1,1\n{line}\n");
            let import = import_prices(&text).unwrap();
            assert_eq!(import.problems[0].to_string(), format!("line 3: {message}"));
        }
    }

    #[test]
    fn pandas_index_column() {
        let text = ",open,high,low,close,volume\n2024-01-01 00:00:00,1,2,0.5,1.5,10\n2024-01-01 01:00:00,1.5,2,1,1.8,\n";
        let got = import_prices(text).unwrap();
        assert_eq!(got.format, PriceFormat::HeaderCsv);
        assert_eq!(got.bars[1].time - got.bars[0].time, 3600);
        assert_eq!(got.bars[0].volume, Some(10.0));
        assert_eq!(got.bars[1].volume, None);
    }
}
