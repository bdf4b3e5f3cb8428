//! CSV output through the `csv` crate (quoting as RFC 4180 needs it), with text cells guarded so a
//! spreadsheet does not run them as formulas.
//!
//! The guard rule (OWASP's list): a **text** cell (a symbol, an action or error text taken from
//! the input, a message quoting it) that begins with `=`, `+`, `-`, `@`, a tab or a carriage
//! return is written with a leading `'` (`=1+2` → `'=1+2`; spreadsheets skip a leading tab or CR
//! and read the formula after it). **Number** cells and the fixed words the kernel writes are never changed,
//! so a negative number stays `-1.5`.

use std::borrow::Cow;

/// One cell of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Text that may come from the input: guarded ([`guard`]).
    Text(&'a str),
    /// A number or a fixed word written by us: as is.
    Plain(&'a str),
}

/// `text` with a leading `'` when it begins with `=`, `+`, `-`, `@`, a tab or a carriage return.
///
/// ```
/// use harvest_features::csv_text::guard;
/// assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(guard("-1"), "'-1");
/// assert_eq!(guard("\t=1+2"), "'\t=1+2");
/// assert_eq!(guard("BTCUSDT"), "BTCUSDT");
/// ```
pub fn guard(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// One CSV row without its line end: cells joined by `,`, quoted when they hold `,`, `"`, CR or
/// LF (quotes doubled), text cells guarded.
///
/// ```
/// use harvest_features::csv_text::{row, Cell};
/// let line = row(&[Cell::Plain("-1.5"), Cell::Text("-x"), Cell::Text("a,\"b\"")]);
/// assert_eq!(line, "-1.5,'-x,\"a,\"\"b\"\"\"");
/// ```
pub fn row(cells: &[Cell<'_>]) -> String {
    let mut out = Vec::with_capacity(16 * cells.len());
    {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .buffer_capacity(256)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(&mut out);
        // Writing to a Vec cannot fail.
        for c in cells {
            let _ = match *c {
                Cell::Text(t) => w.write_field(guard(t).as_bytes()),
                Cell::Plain(p) => w.write_field(p),
            };
        }
        let _ = w.write_record(std::iter::empty::<&[u8]>());
        let _ = w.flush();
    }
    if out.last() == Some(&b'\n') {
        out.pop();
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_are_guarded_numbers_are_not() {
        let cases: [(Cell<'_>, &str); 13] = [
            (Cell::Text("\t=1+2"), "'\t=1+2"),
            (Cell::Text("\r=1+2"), "\"'\r=1+2\""),
            (Cell::Text("=1+2"), "'=1+2"),
            (Cell::Text("+33 1 23"), "'+33 1 23"),
            (Cell::Text("-BTC"), "'-BTC"),
            (Cell::Text("@SUM(A1)"), "'@SUM(A1)"),
            (Cell::Text("BTC-USD"), "BTC-USD"),
            (Cell::Text(""), ""),
            (Cell::Plain("-1.5"), "-1.5"),
            (Cell::Plain("-0.0001"), "-0.0001"),
            (Cell::Plain("+1"), "+1"),
            (Cell::Text("=a,b"), "\"'=a,b\""),
            (Cell::Text("two\nlines \"q\""), "\"two\nlines \"\"q\"\"\""),
        ];
        for (cell, want) in cases {
            assert_eq!(
                row(&[cell, Cell::Plain("1")]),
                format!("{want},1"),
                "{cell:?}"
            );
        }
    }

    /// What the csv crate writes reads back as the cells (guard included) with the csv reader.
    #[test]
    fn rows_read_back() {
        let cells = [
            Cell::Plain("7"),
            Cell::Text("a,b"),
            Cell::Text("\"q\""),
            Cell::Text("-x"),
            Cell::Plain("-2"),
            Cell::Text("x\r\ny"),
        ];
        let line = row(&cells);
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        let got: Vec<&str> = rec.iter().collect();
        assert_eq!(got, ["7", "a,b", "\"q\"", "'-x", "-2", "x\r\ny"]);
    }
}
