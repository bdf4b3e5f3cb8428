//! Fuzz target of the price importer (issue 18): price files in every layout (a header in any
//! column order, with or without volume; CryptoDataDownload's banner; Binance klines), bars of
//! any magnitude, repeated and unordered times, line ends `\n`, `\r\n` and `\r`, then lines
//! mutated (quotes opened and not closed, bytes that are not UTF-8, byte order marks, commas,
//! control bytes, cells of thousands of characters, blank lines). `import_price_bytes` must:
//!
//! - count every line that is not blank as a bar or a problem, nothing dropped unnamed;
//! - give bars sorted by time, one per time, every price finite, > 0, low ≤ open, close ≤ high;
//! - number each problem with a line of the file, at most once;
//! - quote at most ~100 characters of a cell and write no number of hundreds of digits;
//! - not panic.
//!
//! `cargo bench -p harvest-market --bench fuzz_prices` runs 10⁶ files (`-- --cases N`,
//! `--seed S`); `cargo test` runs 1,000. The counts go to BENCHMARKS.md.

use std::cell::RefCell;

use harvest_fuzz::{check_message, Fuzz};
use harvest_market::{import_price_bytes, PriceError, ProblemKind};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// A price: usually near 100, sometimes anywhere in the doubles' range or a special token.
fn price() -> impl Strategy<Value = f64> {
    prop_oneof![
        20 => 50.0f64..150.0,
        2 => (-324i32..309, 1.0f64..10.0).prop_map(|(e, m)| (m * 10f64.powi(e)).min(f64::MAX)),
        1 => prop::sample::select(vec![0.0, -1.0, f64::MAX, 5e-324, 1e-300]),
    ]
}

/// One bar's cells: time step from the previous bar (0: a repeated time), OHLC, volume.
#[derive(Debug, Clone)]
struct Row {
    step: i64,
    back: bool,
    o: f64,
    h: f64,
    l: f64,
    c: f64,
    vol: Option<f64>,
    time_form: u8,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop_oneof![10 => Just(3600i64), 1 => Just(0i64), 1 => 1i64..100_000],
        prop::bool::weighted(0.05),
        price(),
        price(),
        price(),
        price(),
        prop::option::of(prop_oneof![5 => 0.0f64..1e6, 1 => Just(-1.0)]),
        0u8..4,
        prop::bool::weighted(0.9),
    )
        .prop_map(|(step, back, a, b, c, d, vol, time_form, consistent)| {
            let (o, cl) = (a, d);
            let (h, l) = if consistent {
                let hi = o.max(cl).max(b);
                let lo = o.min(cl).min(c);
                (hi, lo)
            } else {
                (b, c)
            };
            Row {
                step,
                back,
                o,
                h,
                l,
                c: cl,
                vol,
                time_form,
            }
        })
}

#[derive(Debug, Clone, Copy)]
enum Layout {
    Header { order: u8, volume: bool },
    Cdd,
    Klines,
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        4 => (0u8..6, any::<bool>()).prop_map(|(order, volume)| Layout::Header { order, volume }),
        1 => Just(Layout::Cdd),
        2 => Just(Layout::Klines),
    ]
}

fn iso(t: i64) -> String {
    harvest_market::format_iso(t)
}

/// The file's lines (without ends), the header lines first, and how many of them are header.
fn lines_of(layout: Layout, rows: &[Row]) -> (Vec<Vec<u8>>, usize) {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut t: i64 = 1_500_000_000;
    let time = |t: i64, form: u8| match form {
        0 => t.to_string(),
        1 => (t * 1000).to_string(),
        2 => iso(t),
        _ => iso(t).replace('T', " ").replace('Z', ""),
    };
    let mut cells = Vec::new();
    for r in rows {
        t += if r.back { -r.step } else { r.step };
        let vol = r.vol.map_or(String::new(), |v| format!("{v:?}"));
        cells.push((time(t, r.time_form), r, vol));
    }
    let header = match layout {
        Layout::Header { order, volume } => {
            let names = ["date", "open", "high", "low", "close"];
            let perm: [usize; 5] = match order {
                0 => [0, 1, 2, 3, 4],
                1 => [4, 3, 2, 1, 0],
                2 => [1, 0, 2, 3, 4],
                3 => [0, 4, 1, 3, 2],
                4 => [2, 3, 0, 4, 1],
                _ => [3, 1, 4, 0, 2],
            };
            let mut h: Vec<&str> = perm.iter().map(|&i| names[i]).collect();
            if volume {
                h.push("Volume");
            }
            out.push(h.join(",").into_bytes());
            for (tm, r, vol) in &cells {
                let v = [
                    tm.clone(),
                    format!("{:?}", r.o),
                    format!("{:?}", r.h),
                    format!("{:?}", r.l),
                    format!("{:?}", r.c),
                ];
                let mut line: Vec<String> = perm.iter().map(|&i| v[i].clone()).collect();
                if volume {
                    line.push(vol.clone());
                }
                out.push(line.join(",").into_bytes());
            }
            1
        }
        Layout::Cdd => {
            out.push(b"https://www.CryptoDataDownload.com".to_vec());
            out.push(b"unix,date,symbol,open,high,low,close,Volume BTC,Volume USD".to_vec());
            for (tm, r, vol) in cells.iter().rev() {
                out.push(
                    format!(
                        "{tm},x,BTCUSD,{:?},{:?},{:?},{:?},{vol},1",
                        r.o, r.h, r.l, r.c
                    )
                    .into_bytes(),
                );
            }
            2
        }
        Layout::Klines => {
            for (i, (_, r, vol)) in cells.iter().enumerate() {
                let ms = (1_500_000_000 + 3600 * i as i64) * 1000;
                // The first line decides the layout: a valid kline.
                let (o, h, l, c) = if i == 0 {
                    (1.0, 1.0, 1.0, 1.0)
                } else {
                    (r.o, r.h, r.l, r.c)
                };
                out.push(
                    format!("{ms},{o:?},{h:?},{l:?},{c:?},{vol},{},0", ms + 3_599_999).into_bytes(),
                );
            }
            0
        }
    };
    (out, header)
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, usize, Vec<u8>),
    Delete(usize, usize, usize),
    Long(usize, usize, usize),
    Blank(usize),
}

fn snippet() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::sample::select(vec![
            &b"\""[..], b"\"\"", b",", b"\xff", b"\xc3", b"\x00", b"\t", b"\r", b"\n",
            b"\xef\xbb\xbf", b" ", b"-", b"e", b"nan", b"inf", b"1e400", b"=1+2", b"\",\"",
        ])
        .prop_map(<[u8]>::to_vec),
        1 => prop::collection::vec(any::<u8>(), 1..5),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>(), snippet()).prop_map(|(l, i, b)| Mutation::Insert(l, i, b)),
        2 => (any::<usize>(), any::<usize>(), 1usize..10).prop_map(|(l, i, n)| Mutation::Delete(l, i, n)),
        1 => (any::<usize>(), any::<usize>(), 200usize..40_000).prop_map(|(l, i, n)| Mutation::Long(l, i, n)),
        1 => any::<usize>().prop_map(Mutation::Blank),
    ]
}

/// A file's bytes and its header line count.
fn file() -> impl Strategy<Value = (Vec<u8>, usize)> {
    (
        layout(),
        prop::collection::vec(row(), 0..40),
        prop::collection::vec(mutation(), 0..6),
        prop::collection::vec(0u8..10, 64),
        any::<bool>(),
    )
        .prop_map(|(layout, rows, muts, ends, bom)| {
            let (mut lines, header) = lines_of(layout, &rows);
            // Mutations touch data lines only (the kline layout's first one stays valid).
            let fixed = header + usize::from(matches!(layout, Layout::Klines));
            for m in &muts {
                let data = lines.len().saturating_sub(fixed);
                if data == 0 {
                    break;
                }
                match m {
                    Mutation::Insert(l, i, b) => {
                        let line = &mut lines[fixed + l % data];
                        let i = i % (line.len() + 1);
                        line.splice(i..i, b.iter().copied());
                    }
                    Mutation::Delete(l, i, n) => {
                        let line = &mut lines[fixed + l % data];
                        let i = i % (line.len() + 1);
                        let end = (i + n).min(line.len());
                        line.drain(i..end);
                    }
                    Mutation::Long(l, i, n) => {
                        let line = &mut lines[fixed + l % data];
                        let i = i % (line.len() + 1);
                        line.splice(i..i, std::iter::repeat_n(b'Z', *n));
                    }
                    Mutation::Blank(l) => lines.insert(fixed + l % (data + 1), b"  ".to_vec()),
                }
            }
            let mut bytes = Vec::new();
            if bom {
                bytes.extend_from_slice(b"\xef\xbb\xbf");
            }
            for (k, line) in lines.iter().enumerate() {
                bytes.extend_from_slice(line);
                bytes.extend_from_slice(match ends[k % ends.len()] {
                    0 => b"\r\n",
                    1 => b"\r",
                    _ => b"\n",
                });
            }
            (bytes, header)
        })
}

/// The oracle's lines: split at `\r\n`, `\n`, `\r`; a line is blank when, without a leading BOM,
/// it has only spaces and commas. Returns the line numbers of the lines that are not blank.
fn content_lines(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut n, mut i, mut start) = (0, 0, 0);
    let mut push = |n: usize, line: &[u8]| {
        let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
        if !line.iter().all(|b| b.is_ascii_whitespace() || *b == b',') {
            out.push(n);
        }
    };
    while i < bytes.len() {
        if bytes[i] == b'\n' || bytes[i] == b'\r' {
            n += 1;
            push(n, &bytes[start..i]);
            i += if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            start = i;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        n += 1;
        push(n, &bytes[start..]);
    }
    out
}

#[derive(Default, Debug)]
struct Counts {
    files: u64,
    lines: u64,
    bars: u64,
    bad: u64,
    duplicate: u64,
    no_bars: u64,
    header_only: u64,
    other_errors: u64,
}

fn one((bytes, header): &(Vec<u8>, usize), c: &RefCell<Counts>) -> Result<(), TestCaseError> {
    let content = content_lines(bytes);
    let data: Vec<usize> = content.iter().skip(*header).copied().collect();
    let mut k = c.borrow_mut();
    k.files += 1;
    k.lines += data.len() as u64;
    match import_price_bytes(bytes) {
        Ok(got) => {
            prop_assert_eq!(got.bars.len() + got.problems.len(), data.len());
            for w in got.bars.windows(2) {
                prop_assert!(w[0].time < w[1].time);
            }
            for b in &got.bars {
                for v in [b.open, b.high, b.low, b.close] {
                    prop_assert!(v.is_finite() && v > 0.0, "{:?}", b);
                }
                prop_assert!(b.low <= b.open.min(b.close) && b.high >= b.open.max(b.close));
                prop_assert!(b.volume.is_none_or(|v| v.is_finite() && v >= 0.0));
            }
            let mut seen: Vec<usize> = got.problems.iter().map(|p| p.line).collect();
            seen.sort_unstable();
            seen.dedup();
            prop_assert_eq!(seen.len(), got.problems.len(), "a line reported twice");
            for p in &got.problems {
                prop_assert!(data.contains(&p.line), "line {} is no data line", p.line);
                check_message("import", &p.message, 600)?;
                match p.kind {
                    ProblemKind::Bad => k.bad += 1,
                    ProblemKind::Duplicate => k.duplicate += 1,
                }
            }
            k.bars += got.bars.len() as u64;
        }
        Err(e) => {
            check_message("import", &e.to_string(), 600)?;
            match &e {
                PriceError::NoBars { problems } => {
                    prop_assert_eq!(problems.len(), data.len());
                    k.no_bars += 1;
                    k.bad += problems.len() as u64;
                }
                PriceError::HeaderOnly { .. } => {
                    prop_assert!(data.is_empty());
                    k.header_only += 1;
                }
                PriceError::Empty => prop_assert!(content.is_empty()),
                PriceError::UnknownLayout { .. } => {
                    prop_assert!(false, "the layout is always recognisable: {}", e)
                }
            }
            if !matches!(e, PriceError::NoBars { .. } | PriceError::HeaderOnly { .. }) {
                k.other_errors += 1;
            }
        }
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    Fuzz::from_env("fuzz_prices", "files", 1000).run(file(), |f, n| one(&f, n), |c: &Counts| {
        format!(
            "{} data lines = {} bars + {} bad + {} duplicate lines; {} files without a bar, {} header only, {} other whole-file errors",
            c.lines, c.bars, c.bad, c.duplicate, c.no_bars, c.header_only, c.other_errors
        )
    })
}
