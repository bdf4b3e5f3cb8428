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
//!
//! Every line is read on its own (`\n`, `\r\n` or `\r` ends it; cells split by `csv-core`): a
//! quoted cell ends on its line, so an unclosed quote, bytes that are not UTF-8 or any other
//! broken line is one problem with its line number and the lines after it load. A byte order mark
//! at the start of a line is skipped. Messages quote at most 100 characters of a cell.

use harvest_kernel::echo::Echo;
use harvest_kernel::num::Short;
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
    /// The text has no lines (or only blank ones).
    #[error("the file is empty")]
    Empty,
    /// No header with time and OHLC columns, and the first line is not a headerless kline.
    #[error("line {line}: no price columns found in {:?}: expected a header with a time column and open, high, low, close (any order), or Binance klines without a header", Echo(.found))]
    UnknownLayout {
        /// The line looked at last (the first or second that is not blank).
        line: usize,
        /// Its text (or why it could not be read).
        found: String,
    },
    /// The header was found and no line follows it.
    #[error("line {line} is the header and no line of prices follows it")]
    HeaderOnly {
        /// The header's line.
        line: usize,
    },
    /// The layout was recognised but no line gave a bar.
    #[error("no bar could be read: {} bad lines (first: {})", problems.len(), problems.first().map_or_else(String::new, ToString::to_string))]
    NoBars {
        /// Every line's problem.
        problems: Vec<LineProblem>,
    },
}

/// Why a line is not a bar (the message of its [`LineProblem`]): each names the column, the
/// value and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BarError {
    /// Bytes that are not UTF-8 text.
    #[error("not UTF-8 text: byte 0x{byte:02x} at column {column}")]
    NotUtf8 {
        /// 1-based byte column of the first bad byte.
        column: usize,
        /// That byte.
        byte: u8,
    },
    /// A quoted cell that does not end on its line.
    #[error("unclosed quote: the cell opened at column {column} does not end on its line")]
    UnclosedQuote {
        /// 1-based byte column of the quote that opens the cell.
        column: usize,
    },
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
    #[error("{column} {:?} is not a number", Echo(.text))]
    NotANumber {
        /// `open`, `high`, `low` or `close`.
        column: &'static str,
        /// The cell, trimmed.
        text: String,
    },
    /// A price that is not finite and > 0.
    #[error("{column} {} is not a price > 0", Short(*.value))]
    NotAPrice {
        /// `open`, `high`, `low` or `close`.
        column: &'static str,
        /// The number.
        value: f64,
    },
    /// High below low.
    #[error("high {} is below low {}", Short(*.high), Short(*.low))]
    HighBelowLow {
        /// The high.
        high: f64,
        /// The low.
        low: f64,
    },
    /// High below the open or the close.
    #[error("high {} is below open/close {}", Short(*.high), Short(*.body))]
    HighBelowBody {
        /// The high.
        high: f64,
        /// The larger of open and close.
        body: f64,
    },
    /// Low above the open or the close.
    #[error("low {} is above open/close {}", Short(*.low), Short(*.body))]
    LowAboveBody {
        /// The low.
        low: f64,
        /// The smaller of open and close.
        body: f64,
    },
    /// A volume cell that is not a number ≥ 0 (an empty one means no volume).
    #[error("volume {:?} is not a number ≥ 0", Echo(.text))]
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
fn header_columns(rec: &Cells<'_>) -> Option<Columns> {
    let names: Vec<String> = rec.iter().map(str::to_ascii_lowercase).collect();
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
fn kline_columns(rec: &Cells<'_>) -> Option<Columns> {
    if rec.len() < 5 || parse_time(rec.get(0)).is_err() {
        return None;
    }
    if !(1..5).all(|i| rec.get(i).parse::<f64>().is_ok()) {
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

fn price(rec: &Cells<'_>, col: usize, column: &'static str) -> Result<f64, BarError> {
    let cell = rec.get(col);
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

fn read_bar(rec: &Cells<'_>, c: &Columns) -> Result<Bar, BarError> {
    if rec.len() < c.needed() {
        return Err(BarError::TooFewFields {
            needed: c.needed(),
            got: rec.len(),
        });
    }
    let time = parse_time(rec.get(c.time))?;
    let open = price(rec, c.open, "open")?;
    let high = price(rec, c.high, "high")?;
    let low = price(rec, c.low, "low")?;
    let close = price(rec, c.close, "close")?;
    ohlc_bar(time, [open, high, low, close], || match c.volume {
        None => Ok(None),
        Some(v) => {
            let cell = rec.get(v);
            if cell.is_empty() {
                Ok(None)
            } else {
                match cell.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                    _ => Err(BarError::Volume { text: cell.into() }),
                }
            }
        }
    })
}

/// The bar of positive prices `[open, high, low, close]` if they are in order (high ≥ low,
/// high ≥ the body's top, low ≤ the body's bottom), with the `volume` read after that.
///
/// # Errors
/// [`BarError::HighBelowLow`], [`BarError::HighBelowBody`] or [`BarError::LowAboveBody`]; the
/// volume's error.
pub(crate) fn ohlc_bar(
    time: i64,
    [open, high, low, close]: [f64; 4],
    volume: impl FnOnce() -> Result<Option<f64>, BarError>,
) -> Result<Bar, BarError> {
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
    Ok(Bar {
        time,
        open,
        high,
        low,
        close,
        volume: volume()?,
    })
}

/// One line's cells, trimmed (a view into [`Splitter`]'s buffers).
struct Cells<'a> {
    text: &'a str,
    ends: &'a [usize],
}

impl<'a> Cells<'a> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Cell `i`, trimmed (`""` past the last).
    fn get(&self, i: usize) -> &'a str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text[start..end].trim()
    }

    fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Splits one line into cells with `csv-core` (RFC 4180 quoting, `""` for a quote in a quoted
/// cell), reusing its buffers from line to line.
struct Splitter {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl Splitter {
    fn new() -> Splitter {
        Splitter {
            reader: csv_core::Reader::new(),
            out: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// The cells of `line` (no line end in it).
    fn split(&mut self, line: &str) -> Result<Cells<'_>, BarError> {
        let bytes = line.as_bytes();
        self.reader.reset();
        // Unquoting only shortens a cell; a line of n commas has at most n + 1 cells (one more
        // byte and one more end: the call that reads the line's end always has room).
        self.out.resize(bytes.len() + 1, 0);
        self.ends
            .resize(bytes.iter().filter(|&&b| b == b',').count() + 2, 0);
        let (res, _, nout, nend) = self
            .reader
            .read_record(bytes, &mut self.out, &mut self.ends);
        let (res, nout, nend) = match res {
            // The line is all in: its end closes the record, unless a quote is still open.
            csv_core::ReadRecordResult::InputEmpty => {
                let (res, _, o, e) =
                    self.reader
                        .read_record(b"\n", &mut self.out[nout..], &mut self.ends[nend..]);
                (res, nout + o, nend + e)
            }
            other => (other, nout, nend),
        };
        if res != csv_core::ReadRecordResult::Record {
            return Err(BarError::UnclosedQuote {
                column: open_quote(bytes),
            });
        }
        // csv-core's cell ends count from the record's start across calls.
        let text = std::str::from_utf8(&self.out[..nout]).unwrap_or_default();
        Ok(Cells {
            text,
            ends: &self.ends[..nend],
        })
    }
}

/// The 1-based column of the quote that opens the cell left open at the end of `line`.
fn open_quote(line: &[u8]) -> usize {
    let (mut open, mut at, mut cell_start) = (false, 0, true);
    for (i, &b) in line.iter().enumerate() {
        match b {
            b'"' if open => open = false,
            b'"' if cell_start
                || line[..i].iter().rev().take_while(|&&c| c == b' ').count() == i =>
            {
                open = true;
                at = i;
            }
            b'"' => {}
            b',' if !open => cell_start = true,
            b' ' | b'\t' if cell_start => {}
            _ if !open => cell_start = false,
            _ => {}
        }
    }
    at + 1
}

/// The lines of a file: (1-based number, bytes without the line end). `\n`, `\r\n` and a lone
/// `\r` each end a line.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut rest = bytes;
    let mut n = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        n += 1;
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = match rest.get(end..end + 2) {
            Some(b"\r\n") => 2,
            Some(_) | None if end < rest.len() => 1,
            _ => 0,
        };
        rest = &rest[end + skip..];
        Some((n, line))
    })
}

/// A line as text: a leading byte order mark skipped, or why it is not UTF-8.
fn line_text(line: &[u8]) -> Result<&str, BarError> {
    let (line, offset) = match line.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (rest, 3),
        None => (line, 0),
    };
    std::str::from_utf8(line).map_err(|e| BarError::NotUtf8 {
        column: offset + e.valid_up_to() + 1,
        byte: line[e.valid_up_to()],
    })
}

/// Reads the bars of a price file (any of the layouts in the module documentation).
///
/// Lines that cannot be read (bytes that are not UTF-8, an unclosed quote, a bad time or price,
/// missing fields, high below low, …) and lines whose time repeats an earlier line's are reported
/// in `problems` with their 1-based line numbers; every other line loads (blank lines, and lines
/// of empty cells, are skipped). The bars are sorted oldest first whatever the file's order.
///
/// # Errors
/// [`PriceError::Empty`] for no lines, [`PriceError::UnknownLayout`] when neither of the first two
/// lines is a usable header and the first is not a kline, [`PriceError::HeaderOnly`] for a header
/// and nothing after it, [`PriceError::NoBars`] when no line loads.
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
    import_price_bytes(text.as_bytes())
}

/// [`import_prices`] of the bytes of a file: a line that is not UTF-8 is one problem (its line
/// number and the column of the first bad byte), not the end of the file.
///
/// # Errors
/// As [`import_prices`].
///
/// ```
/// use harvest_market::import_price_bytes;
/// let got = import_price_bytes(b"\xef\xbb\xbftime,open,high,low,close\n1,1,1,1,1\n2,\xff,1,1,1\n3,1,1,1,1\n").unwrap();
/// assert_eq!(got.bars.len(), 2);
/// assert_eq!(got.problems[0].to_string(), "line 3: not UTF-8 text: byte 0xff at column 3");
/// ```
pub fn import_price_bytes(bytes: &[u8]) -> Result<PriceImport, PriceError> {
    let mut splitter = Splitter::new();
    let mut problems = Vec::new();
    let bad = |line: usize, e: BarError| LineProblem {
        line,
        kind: ProblemKind::Bad,
        message: e.to_string(),
    };
    // Lines that are not blank (nor only empty cells): (line, its text or why not).
    let mut lines = lines(bytes).filter(|(_, l)| {
        let l = l.strip_prefix(b"\xef\xbb\xbf").unwrap_or(l);
        !l.iter().all(|b| b.is_ascii_whitespace() || *b == b',')
    });
    // The layout, from the first one or two lines.
    let Some((first_line, first)) = lines.next() else {
        return Err(PriceError::Empty);
    };
    let unknown = |line: usize, found: String| PriceError::UnknownLayout { line, found };
    let first = line_text(first).map_err(|e| unknown(first_line, e.to_string()))?;
    let (format, cols, header_line, first_is_bar) = {
        let rec = splitter
            .split(first)
            .map_err(|e| unknown(first_line, e.to_string()))?;
        if let Some(c) = header_columns(&rec) {
            (PriceFormat::HeaderCsv, c, first_line, false)
        } else if let Some(c) = kline_columns(&rec) {
            (PriceFormat::BinanceKlines, c, first_line, true)
        } else {
            let banner = first;
            let Some((line, second)) = lines.next() else {
                return Err(unknown(first_line, banner.to_string()));
            };
            let second = line_text(second).map_err(|_| unknown(first_line, banner.to_string()))?;
            let rec = splitter
                .split(second)
                .map_err(|_| unknown(first_line, banner.to_string()))?;
            match header_columns(&rec) {
                Some(c) if banner.to_ascii_lowercase().contains("cryptodatadownload") => {
                    (PriceFormat::CryptoDataDownload, c, line, false)
                }
                Some(c) => (PriceFormat::HeaderCsv, c, line, false),
                None => return Err(unknown(first_line, banner.to_string())),
            }
        }
    };
    // (line, bar) in file order.
    let mut rows: Vec<(usize, Bar)> = Vec::new();
    let mut read = |line: usize, text: Result<&str, BarError>| {
        let bar = text.and_then(|t| splitter.split(t).and_then(|rec| read_bar(&rec, &cols)));
        match bar {
            Ok(bar) => rows.push((line, bar)),
            Err(e) => problems.push(bad(line, e)),
        }
    };
    if first_is_bar {
        read(first_line, Ok(first));
    }
    for (line, bytes) in lines {
        read(line, line_text(bytes));
    }
    if rows.is_empty() && problems.is_empty() {
        return Err(PriceError::HeaderOnly { line: header_line });
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
        let mut splitter = Splitter::new();
        for (line, want, message) in cases {
            let rec = splitter.split(line).unwrap();
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
