//! The price importer: the shipped sample, every layout, and broken files.

use harvest_market::{
    format_iso, import_price_bytes, import_prices, Bar, PriceError, PriceFormat, PriceImport,
    ProblemKind,
};
use sha2::{Digest, Sha256};

const SAMPLE: &str = include_str!("../../../assets/prices/Coinbase_BTCUSD_1h.csv");

fn ok(text: &str) -> PriceImport {
    import_prices(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn iso(bars: &[Bar]) -> Vec<String> {
    bars.iter().map(|b| format_iso(b.time)).collect()
}

#[test]
fn the_shipped_sample_is_the_provenance_file() {
    let hash = Sha256::digest(SAMPLE.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "4815e7573a764097f9252ad4901331d6ae8917f2cca4e3a7c6f77693556da16d"
    );
    let prov = include_str!("../../../assets/prices/PROVENANCE.md");
    assert!(prov.contains(&hex));
}

#[test]
fn the_shipped_sample_loads_whole_oldest_first() {
    let got = ok(SAMPLE);
    assert_eq!(got.format, PriceFormat::CryptoDataDownload);
    assert!(got.problems.is_empty(), "{:?}", &got.problems[..3]);
    assert_eq!(got.bars.len(), 20_111);
    let first = got.bars[0];
    assert_eq!(format_iso(first.time), "2017-07-01T11:00:00Z");
    // 2017-07-01 11-AM,BTCUSD,2505.56,2513.38,2495.12,2509.17,114.6,287000.32
    assert_eq!(
        (first.open, first.high, first.low, first.close, first.volume),
        (2505.56, 2513.38, 2495.12, 2509.17, Some(114.6))
    );
    assert_eq!(
        format_iso(got.bars.last().unwrap().time),
        "2019-10-17T09:00:00Z"
    );
    assert!(got.bars.windows(2).all(|w| w[0].time < w[1].time));
    // Hourly bars with a few gaps: age comes from timestamps.
    let steps: Vec<i64> = got.bars.windows(2).map(|w| w[1].time - w[0].time).collect();
    assert!(steps.iter().all(|s| s % 3600 == 0));
    assert!(steps.iter().filter(|&&s| s == 3600).count() > 20_000);
}

#[test]
fn header_csv_in_any_order_and_case_with_extra_columns() {
    let text = "Symbol,CLOSE,Low,Volume,Date,High,Open,Trades\n\
                BTC,11.5,10,5,2024-01-02,12,11,7\n\
                BTC,10.5,9,,2024-01-01,11,10,3\n";
    let got = ok(text);
    assert_eq!(got.format, PriceFormat::HeaderCsv);
    assert_eq!(
        iso(&got.bars),
        ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"]
    );
    assert_eq!(
        got.bars[1],
        Bar {
            time: got.bars[1].time,
            open: 11.0,
            high: 12.0,
            low: 10.0,
            close: 11.5,
            volume: Some(5.0)
        }
    );
    assert_eq!(got.bars[0].volume, None);
}

#[test]
fn time_columns_and_time_shapes() {
    let cases: [(&str, &str); 7] = [
        (
            "timestamp,open,high,low,close\n1704067200,1,2,0.5,1.5\n",
            "seconds",
        ),
        (
            "timestamp,open,high,low,close\n1704067200000,1,2,0.5,1.5\n",
            "milliseconds",
        ),
        (
            "time,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2,0.5,1.5,3\n",
            "ISO Z",
        ),
        (
            "datetime,open,high,low,close\n2024-01-01 01:00:00+01:00,1,2,0.5,1.5\n",
            "offset",
        ),
        (
            "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-01,1,2,0.5,1.5,1.4,9\n",
            "Yahoo",
        ),
        (
            ",open,high,low,close\n2024-01-01 00:00:00,1,2,0.5,1.5\n",
            "pandas index",
        ),
        (
            "Unnamed: 0,open,high,low,close\n2024-01-01,1,2,0.5,1.5\n",
            "pandas unnamed",
        ),
    ];
    for (text, what) in cases {
        let got = ok(text);
        assert_eq!(got.format, PriceFormat::HeaderCsv, "{what}");
        assert_eq!(iso(&got.bars), ["2024-01-01T00:00:00Z"], "{what}");
        assert_eq!(got.bars[0].close, 1.5, "{what}");
    }
}

#[test]
fn binance_klines_without_header() {
    let text =
        "1704070800000,42500.1,42600,42400,42550.5,12.5,1704074399999,531000,100,6,255000,0\n\
                1704067200000,42300,42510,42290,42500.1,10,1704070799999,425000,90,5,212000,0\n";
    let got = ok(text);
    assert_eq!(got.format, PriceFormat::BinanceKlines);
    assert_eq!(
        iso(&got.bars),
        ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"]
    );
    assert_eq!(got.bars[1].close, 42550.5);
    assert_eq!(got.bars[1].volume, Some(12.5));
    // Microsecond open times (Binance spot since 2025) and a bare OHLC without volume.
    let got = ok("1735689600000000,1,2,0.5,1.5\n");
    assert_eq!(iso(&got.bars), ["2025-01-01T00:00:00Z"]);
    assert_eq!(got.bars[0].volume, None);
}

#[test]
fn cryptodatadownload_newest_first_with_am_pm() {
    let text = "https://www.CryptoDataDownload.com\r\n\
                Unix Timestamp,Date,Symbol,Open,High,Low,Close,Volume ETH,Volume USD\r\n\
                1571331600,2019-10-17 05-PM,ETHUSD,2,3,1,2.5,10,25\r\n\
                1571270400,2019-10-17 12-AM,ETHUSD,1,2,0.5,1.5,10,15\r\n";
    let got = ok(text);
    assert_eq!(got.format, PriceFormat::CryptoDataDownload);
    assert_eq!(
        iso(&got.bars),
        ["2019-10-17T00:00:00Z", "2019-10-17T17:00:00Z"]
    );
    assert_eq!(
        got.bars[0].volume,
        Some(10.0),
        "base volume: the first volume column"
    );
    // The same without the unix column: times read from `09-AM` style dates.
    let text = "Timestamps are UTC timezone,https://www.CryptoDataDownload.com\n\
                date,symbol,open,high,low,close,volume_btc,volume\n\
                2019-10-17 12-PM,BTCUSD,2,3,1,2.5,1,2\n\
                2019-10-17 11-AM,BTCUSD,1,2,0.5,1.5,1,2\n";
    assert_eq!(
        iso(&ok(text).bars),
        ["2019-10-17T11:00:00Z", "2019-10-17T12:00:00Z"]
    );
}

#[test]
fn bad_and_duplicate_lines_are_reported_and_the_rest_loads() {
    let text = "date,open,high,low,close\n\
                2024-01-03,3,4,2,3.5\n\
                2024-01-01,1,2,0.5,1.5\n\
                not a date,1,2,0.5,1.5\n\
                2024-01-04,x,2,0.5,1.5\n\
                2024-01-05,1,2\n\
                2024-01-06,1,0.5,2,1.5\n\
                2024-01-01,9,9,9,9\n\
                \x20 \n\
                2024-01-07,1,2,0.5,-1\n\
                2024-01-02,2,3,1,2.5\n\
                2024-01-08,1,1.2,0.5,1.5\n";
    let got = ok(text);
    assert_eq!(
        iso(&got.bars),
        [
            "2024-01-01T00:00:00Z",
            "2024-01-02T00:00:00Z",
            "2024-01-03T00:00:00Z"
        ]
    );
    assert_eq!(
        got.bars[0].close, 1.5,
        "the first of two equal times is kept"
    );
    let lines: Vec<(usize, ProblemKind)> = got.problems.iter().map(|p| (p.line, p.kind)).collect();
    use ProblemKind::{Bad, Duplicate};
    assert_eq!(
        lines,
        [
            (4, Bad),
            (5, Bad),
            (6, Bad),
            (7, Bad),
            (8, Duplicate),
            (10, Bad),
            (12, Bad)
        ]
    );
    let msg = |line: usize| {
        got.problems
            .iter()
            .find(|p| p.line == line)
            .unwrap()
            .to_string()
    };
    assert!(msg(4).contains("not a date"), "{}", msg(4));
    assert!(msg(5).contains("open \"x\" is not a number"), "{}", msg(5));
    assert!(
        msg(6).contains("expected at least 5 fields, got 3"),
        "{}",
        msg(6)
    );
    assert!(msg(7).contains("high 0.5 is below low 2"), "{}", msg(7));
    assert!(msg(8).contains("line 3 is kept"), "{}", msg(8));
    assert!(
        msg(10).contains("close -1 is not a price > 0"),
        "{}",
        msg(10)
    );
    assert!(
        msg(12).contains("high 1.2 is below open/close 1.5"),
        "{}",
        msg(12)
    );
}

#[test]
fn whole_file_errors() {
    assert_eq!(import_prices(""), Err(PriceError::Empty));
    assert_eq!(import_prices("\u{feff}"), Err(PriceError::Empty));
    let e = import_prices("name,price\nbtc,1\n").unwrap_err();
    assert!(
        matches!(e, PriceError::UnknownLayout { line: 1, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("open, high, low, close"));
    let e = import_prices("date,open,high,low,close\nx,1,2,3,4\ny,1,2,3,4\n").unwrap_err();
    match &e {
        PriceError::NoBars { problems } => {
            assert_eq!(problems.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 3]);
        }
        other => panic!("{other:?}"),
    }
    assert!(e
        .to_string()
        .starts_with("no bar could be read: 2 bad lines (first: line 2:"));
    // A header and nothing else (blank lines after it are nothing).
    for text in [
        "date,open,high,low,close\n",
        "date,open,high,low,close\n\n  \n,,,\n",
    ] {
        let e = import_prices(text).unwrap_err();
        assert_eq!(e, PriceError::HeaderOnly { line: 1 });
        assert_eq!(
            e.to_string(),
            "line 1 is the header and no line of prices follows it"
        );
    }
    let e =
        import_prices("https://www.CryptoDataDownload.com\nunix,date,symbol,open,high,low,close\n")
            .unwrap_err();
    assert_eq!(e, PriceError::HeaderOnly { line: 2 });
}

/// The file: one unclosed quote on line 302 of 1,001. Before, the csv reader swallowed the
/// rest of the file into that cell (699 bars gone, one problem quoting 35 KB).
#[test]
fn an_unclosed_quote_ends_at_its_line() {
    let mut text = String::from("date,open,high,low,close,volume\n");
    for i in 0..1000 {
        let q = if i == 300 { "\"" } else { "" };
        text += &format!("{},100,101,99,100,{q}1\n", 1_500_000_000 + 3600 * i);
    }
    let got = ok(&text);
    assert_eq!(got.bars.len(), 999);
    assert_eq!(got.problems.len(), 1);
    assert_eq!(
        got.problems[0].to_string(),
        "line 302: unclosed quote: the cell opened at column 27 does not end on its line"
    );
    // Quoted cells that do end on their line are read (quotes doubled inside).
    let got = ok("\"date\",\"open\",high,low,close\n\"2024-01-01\",\" 1 \",2,0.5,1\n2024-01-02,\"1\"\"\",2,0.5,1\n");
    assert_eq!(got.bars.len(), 1);
    assert_eq!(got.bars[0].open, 1.0);
    assert_eq!(
        got.problems[0].to_string(),
        "line 3: open \"1\\\"\" is not a number"
    );
}

/// A byte that is not UTF-8 is a problem of its line; a byte order mark is skipped at the start
/// of the file and of any line (files joined with `cat`).
#[test]
fn invalid_utf8_and_byte_order_marks_per_line() {
    let bytes = b"\xef\xbb\xbftime,open,high,low,close\n\
                  1704067200,1,2,0.5,1.5\n\
                  1704070800,1,2,0.5,1.5\xff\n\
                  \xef\xbb\xbf1704074400,1,2,0.5,1.5\n\
                  1704078000,1,\xc3(,0.5,1.5\n\
                  1704081600,1,2,0.5,1.5\n";
    let got = import_price_bytes(bytes).unwrap();
    assert_eq!(got.bars.len(), 3);
    let msgs: Vec<String> = got.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        [
            "line 3: not UTF-8 text: byte 0xff at column 23",
            "line 5: not UTF-8 text: byte 0xc3 at column 14",
        ]
    );
    // A header that is not UTF-8: the layout is unknown, and the message says why.
    let e = import_price_bytes(b"time,\xffopen,high,low,close\n1,1,1,1,1\n").unwrap_err();
    assert!(
        e.to_string()
            .contains("not UTF-8 text: byte 0xff at column 6"),
        "{e}"
    );
}

/// `\r\n`, `\n` and a lone `\r` (old Mac files) each end a line; line numbers count them all.
#[test]
fn every_line_end_counts() {
    let text = "time,open,high,low,close\r1,1,1,1,1\r\n2,1,1,1,1\n3,x,1,1,1\r4,1,1,1,1";
    let got = ok(text);
    assert_eq!(got.bars.len(), 3);
    assert_eq!(got.problems[0].line, 4);
}

/// Messages quote at most 100 characters of a cell, and numbers in their shortest form.
#[test]
fn messages_quote_little_and_write_numbers_short() {
    let huge = "9".repeat(35_000);
    let text = format!(
        "time,open,high,low,close,volume\n\
         1,{huge}x,1,1,1,1\n\
         2,1,1,1,1,{huge}y\n\
         {huge}z,1,1,1,1,1\n\
         4,1e308,1,5e-324,1e308,1\n\
         5,1,1,1,1,1\n"
    );
    let got = ok(&text);
    for p in &got.problems {
        let m = p.to_string();
        assert!(m.len() < 260, "{} bytes: {m}", m.len());
        assert!(!m.contains(&"9".repeat(101)), "{m}");
    }
    assert!(got.problems[0]
        .message
        .ends_with("…\" (35001 characters) is not a number"));
    assert_eq!(
        got.problems[3].to_string(),
        "line 5: high 1 is below open/close 1e308"
    );
}

#[test]
fn a_gap_is_kept_as_a_gap() {
    let text = "time,open,high,low,close\n\
                2024-01-01T00:00:00Z,1,1,1,1\n\
                2024-01-01T01:00:00Z,1,1,1,1\n\
                2024-01-01T05:00:00Z,1,1,1,1\n";
    let got = ok(text);
    let steps: Vec<i64> = got.bars.windows(2).map(|w| w[1].time - w[0].time).collect();
    assert_eq!(steps, [3600, 4 * 3600]);
}
