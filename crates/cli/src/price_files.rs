//! Price files for `backtest` and `research`: several files or folders at once, each file's
//! symbol from its name ([`harvest_market::file_name`]), files of one symbol merged (Binance's
//! monthly `BTCUSDT-1h-2024-01.csv`, …), and the formats of freqtrade's data directory: `json`,
//! `jsongz` (gzip, flate2) and `feather` (Arrow IPC read with the Apache `arrow-ipc` crate,
//! LZ4-compressed as freqtrade writes it).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};

use harvest_market::{
    candles_from_rows, file_name, import_freqtrade_json, import_price_bytes, Bar, BarError,
    FileContent, FileFormat, LineProblem, PriceError, Row,
};

/// One symbol's bars, from one file or several.
#[derive(Debug, Clone)]
pub struct SymbolBars {
    /// The symbol.
    pub symbol: String,
    /// The timeframe the file names say, if any.
    pub timeframe: Option<String>,
    /// The files, in the order read.
    pub files: Vec<PathBuf>,
    /// The bars, oldest first, one per time (the first file's bar kept on a repeated time).
    pub bars: Vec<Bar>,
    /// Rows left out, with their file.
    pub problems: Vec<(PathBuf, LineProblem)>,
    /// Times given by more than one file (the first file's bar kept).
    pub overlaps: usize,
}

/// Why the price files could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// A path that cannot be read.
    #[error("{}: {error}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A file that gives no bars.
    #[error("{} ({}): {error}", path.display(), format.label())]
    Price {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: FileFormat,
        /// Why.
        error: String,
    },
    /// Nothing to read.
    #[error(
        "no price file found in {0} (looked for .csv, .txt, .json, .json.gz/.jsongz and .feather)"
    )]
    NoFiles(String),
    /// One symbol in several timeframes.
    #[error("{symbol} comes in several timeframes ({}): pick one with --timeframe", timeframes.join(", "))]
    Timeframes {
        /// The symbol.
        symbol: String,
        /// Its timeframes.
        timeframes: Vec<String>,
    },
}

fn io_err(path: &Path, error: std::io::Error) -> FilesError {
    FilesError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// The files under `path` (itself when a file; every file in a folder and its subfolders, by
/// name), with what was skipped and why.
fn collect(
    path: &Path,
    out: &mut Vec<PathBuf>,
    skipped: &mut Vec<String>,
) -> Result<(), FilesError> {
    let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| io_err(path, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out, skipped)?;
            continue;
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let f = file_name(&name);
        match (f.format, f.content) {
            (FileFormat::Other, _) => {}
            (FileFormat::Parquet, _) => skipped.push(format!(
                "{}: parquet is not read here (convert it with freqtrade convert-data --format-to feather)",
                p.display()
            )),
            (_, FileContent::Trades) => {
                skipped.push(format!("{}: trades, not candles", p.display()))
            }
            (_, FileContent::OtherCandles) => skipped.push(format!(
                "{}: mark/index/funding candles, not the traded price",
                p.display()
            )),
            _ => out.push(p),
        }
    }
    Ok(())
}

/// The bars of one file, by its format.
///
/// # Errors
/// The file cannot be read or gives no bars.
pub fn read_file(path: &Path) -> Result<(Vec<Bar>, Vec<LineProblem>), FilesError> {
    let f = file_name(&path.to_string_lossy());
    let price_err = |error: String| FilesError::Price {
        path: path.to_path_buf(),
        format: f.format,
        error,
    };
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    let text = |bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|e| {
            price_err(format!(
                "not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to() + 1
            ))
        })
    };
    let candles = |r: Result<harvest_market::Candles, PriceError>| {
        r.map(|c| (c.bars, c.problems))
            .map_err(|e| price_err(e.to_string()))
    };
    match f.format {
        FileFormat::Json => candles(import_freqtrade_json(&text(bytes)?)),
        FileFormat::JsonGz => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .map_err(|e| price_err(format!("not gzip: {e}")))?;
            candles(import_freqtrade_json(&text(out)?))
        }
        FileFormat::Feather => candles(candles_from_rows(feather_rows(&bytes).map_err(price_err)?)),
        FileFormat::Parquet => Err(price_err(
            "parquet is not read here: convert it with `freqtrade convert-data --format-from parquet --format-to feather`".into(),
        )),
        // Anything else is tried as CSV (the importer detects the layout).
        // A line that is not UTF-8 is that line's problem, not the file's.
        _ => import_price_bytes(&bytes)
            .map(|i| (i.bars, i.problems))
            .map_err(|e| price_err(e.to_string())),
    }
}

/// A column of numbers as f64, whatever its Arrow number type.
fn numbers(col: &dyn Array, name: &str) -> Result<Vec<Option<f64>>, String> {
    macro_rules! prim {
        ($t:ty) => {
            col.as_primitive::<$t>()
                .iter()
                .map(|v| v.map(|x| x as f64))
                .collect()
        };
    }
    Ok(match col.data_type() {
        DataType::Float64 => prim!(Float64Type),
        DataType::Float32 => prim!(Float32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::UInt64 => prim!(UInt64Type),
        t => return Err(format!("column {name} is {t}: expected numbers")),
    })
}

/// The date column as epoch milliseconds.
fn dates(col: &dyn Array) -> Result<Vec<Option<f64>>, String> {
    macro_rules! ts {
        ($t:ty, $div:expr) => {
            col.as_primitive::<$t>()
                .iter()
                .map(|v| v.map(|x| (x as f64 / $div).floor()))
                .collect()
        };
    }
    Ok(match col.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => ts!(TimestampSecondType, 0.001),
        DataType::Timestamp(TimeUnit::Millisecond, _) => ts!(TimestampMillisecondType, 1.0),
        DataType::Timestamp(TimeUnit::Microsecond, _) => ts!(TimestampMicrosecondType, 1e3),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => ts!(TimestampNanosecondType, 1e6),
        DataType::Int64 | DataType::Float64 => numbers(col, "date")?,
        t => {
            return Err(format!(
                "column date is {t}: expected a timestamp or epoch milliseconds"
            ))
        }
    })
}

/// The rows of a feather (Arrow IPC file) of freqtrade candles: `date, open, high, low, close,
/// volume` by name (any case).
fn feather_rows(bytes: &[u8]) -> Result<Vec<Result<Row, BarError>>, String> {
    let reader = arrow_ipc::reader::FileReader::try_new(std::io::Cursor::new(bytes), None)
        .map_err(|e| format!("not an Arrow IPC (feather v2) file: {e}"))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch: RecordBatch = batch.map_err(|e| format!("reading a record batch: {e}"))?;
        let schema = batch.schema();
        let find = |name: &str| {
            schema
                .fields()
                .iter()
                .position(|f| f.name().eq_ignore_ascii_case(name))
                .map(|i| batch.column(i).clone())
        };
        let need = |name: &str| {
            find(name).ok_or_else(|| {
                let have: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                format!("no column {name} (columns: {})", have.join(", "))
            })
        };
        let date = dates(need("date")?.as_ref())?;
        let p: Vec<Vec<Option<f64>>> = ["open", "high", "low", "close"]
            .iter()
            .map(|n| need(n).and_then(|c| numbers(c.as_ref(), n)))
            .collect::<Result<_, _>>()?;
        let vol = match find("volume") {
            Some(c) => numbers(c.as_ref(), "volume")?,
            None => vec![None; batch.num_rows()],
        };
        for i in 0..batch.num_rows() {
            rows.push(Ok((
                date[i].unwrap_or(f64::NAN),
                [p[0][i], p[1][i], p[2][i], p[3][i]],
                vol[i],
            )));
        }
    }
    Ok(rows)
}

/// [`load`], saying on stderr (`harvest <command>: …`) what was left out: each file skipped,
/// and each symbol's first `shown` problem lines, then how many there were.
///
/// # Errors
/// As [`load`].
pub fn load_saying(
    command: &str,
    paths: &[PathBuf],
    timeframe: Option<&str>,
    shown: usize,
) -> Result<Vec<SymbolBars>, FilesError> {
    let (symbols, skipped) = load(paths, timeframe)?;
    for s in &skipped {
        eprintln!("harvest {command}: skipped {s}");
    }
    for s in &symbols {
        for (f, p) in s.problems.iter().take(shown) {
            eprintln!("harvest {command}: {}: skipped {p}", f.display());
        }
        if s.problems.len() > shown {
            eprintln!(
                "harvest {command}: {}: … {} lines skipped in all",
                s.symbol,
                s.problems.len()
            );
        }
    }
    Ok(symbols)
}

/// Reads `paths` (files or folders), groups the files by symbol (and timeframe), keeps only
/// `timeframe` when given, and merges each symbol's files. Returns the symbols in name order
/// and what was skipped.
///
/// # Errors
/// A path cannot be read, a file gives no bars, nothing was found, or a symbol comes in
/// several timeframes without `timeframe`.
pub fn load(
    paths: &[PathBuf],
    timeframe: Option<&str>,
) -> Result<(Vec<SymbolBars>, Vec<String>), FilesError> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        collect(p, &mut files, &mut skipped)?;
    }
    let mut groups: BTreeMap<(String, Option<String>), Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        let name = file_name(&f.to_string_lossy());
        if let (Some(want), Some(tf)) = (timeframe, &name.timeframe) {
            if want != tf {
                skipped.push(format!("{}: timeframe {tf}, not {want}", f.display()));
                continue;
            }
        }
        groups
            .entry((name.symbol, name.timeframe))
            .or_default()
            .push(f);
    }
    if groups.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(FilesError::NoFiles(shown.join(", ")));
    }
    let mut by_symbol: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (sym, tf) in groups.keys() {
        by_symbol
            .entry(sym)
            .or_default()
            .push(tf.clone().unwrap_or_else(|| "?".into()));
    }
    if let Some((sym, tfs)) = by_symbol.iter().find(|(_, t)| t.len() > 1) {
        return Err(FilesError::Timeframes {
            symbol: sym.to_string(),
            timeframes: tfs.clone(),
        });
    }
    let mut out = Vec::new();
    for ((symbol, tf), files) in groups {
        let mut bars: Vec<Bar> = Vec::new();
        let mut problems = Vec::new();
        let mut overlaps = 0;
        for f in &files {
            let (b, p) = read_file(f)?;
            problems.extend(p.into_iter().map(|p| (f.clone(), p)));
            if bars.is_empty() {
                bars = b;
                continue;
            }
            let mut merged = Vec::with_capacity(bars.len() + b.len());
            let (mut i, mut j) = (0, 0);
            while i < bars.len() || j < b.len() {
                let take_old = j >= b.len() || (i < bars.len() && bars[i].time <= b[j].time);
                if take_old {
                    if j < b.len() && bars[i].time == b[j].time {
                        overlaps += 1;
                        j += 1;
                    }
                    merged.push(bars[i]);
                    i += 1;
                } else {
                    merged.push(b[j]);
                    j += 1;
                }
            }
            bars = merged;
        }
        out.push(SymbolBars {
            symbol,
            timeframe: tf,
            files,
            bars,
            problems,
            overlaps,
        });
    }
    Ok((out, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("harvest-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn monthly_files_of_one_symbol_merge() {
        let d = dir("merge");
        std::fs::write(
            d.join("BTCUSDT-1h-2024-01.csv"),
            "1704067200000,1,2,0.5,1.5,10\n1704070800000,1.5,2,1,1.2,11\n",
        )
        .unwrap();
        std::fs::write(
            d.join("BTCUSDT-1h-2024-02.csv"),
            "1704070800000,9,9,9,9,1\n1704074400000,1.2,1.3,1.1,1.25,12\n",
        )
        .unwrap();
        std::fs::write(d.join("BTC_USDT-trades.json"), "[]").unwrap();
        std::fs::write(d.join("notes.md"), "x").unwrap();
        let (syms, skipped) = load(std::slice::from_ref(&d), None).unwrap();
        assert_eq!(syms.len(), 1);
        let s = &syms[0];
        assert_eq!(
            (s.symbol.as_str(), s.bars.len(), s.overlaps),
            ("BTCUSDT", 3, 1)
        );
        assert_eq!(s.bars[1].close, 1.2); // the first file's bar kept
        assert_eq!(skipped.len(), 1, "{skipped:?}");
    }

    #[test]
    fn timeframes_must_be_picked() {
        let d = dir("tf");
        std::fs::write(
            d.join("ETH_USDT-1h.json"),
            "[[1704067200000,1,2,0.5,1.5,10]]",
        )
        .unwrap();
        std::fs::write(
            d.join("ETH_USDT-5m.json"),
            "[[1704067200000,1,2,0.5,1.5,10]]",
        )
        .unwrap();
        let e = load(std::slice::from_ref(&d), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ETH/USDT comes in several timeframes (1h, 5m)"),
            "{e}"
        );
        let (syms, skipped) = load(&[d], Some("5m")).unwrap();
        assert_eq!((syms.len(), skipped.len()), (1, 1));
    }

    #[test]
    fn gzip_json_reads_and_bad_files_are_named() {
        use std::io::Write;
        let d = dir("gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"[[1704067200000,1,2,0.5,1.5,10],[1704070800000,1,2,0.5,1.5]]")
            .unwrap();
        std::fs::write(d.join("SOL_USDT-1h.json.gz"), gz.finish().unwrap()).unwrap();
        let (b, p) = read_file(&d.join("SOL_USDT-1h.json.gz")).unwrap();
        assert_eq!((b.len(), p.len()), (2, 0));
        std::fs::write(d.join("X_USDT-1h.json.gz"), b"not gzip").unwrap();
        let e = read_file(&d.join("X_USDT-1h.json.gz"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("X_USDT-1h.json.gz (freqtrade jsongz): not gzip"),
            "{e}"
        );
        std::fs::write(d.join("Y_USDT-1h.feather"), b"PAR1").unwrap();
        let e = read_file(&d.join("Y_USDT-1h.feather"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not an Arrow IPC"), "{e}");
    }
}
