//! Pure: **paper positions** — a simulation. An entries file says when a position opens (time,
//! side) and, optionally, when it closes; the feed writes each one the way the running system's
//! services write a real one: the apply layer's hash when it opens
//! (`quantum:state:positions:<SYM>`: `symbol, side, quantity, entry_price, leverage, stop_loss,
//! take_profit, plan_id, created_at, …`, then `unrealized_pnl`), the exchange sync's fields on
//! each bar while it is open (`position_amt, mark_price, current_price, unrealized_pnl,
//! ts_epoch, source`, TTL 3600 s), and `DEL` when it closes (the apply layer's full close).
//! Every paper record says what it is: `plan_id` `paper-…` and `source` `harvest-feed-paper`.

use harvest_kernel::Side;
use harvest_market::parse_time;

use harvest_records::num::py_float;

/// `source` of every paper position record.
pub const PAPER_SOURCE: &str = "harvest-feed-paper";

/// TTL the exchange sync gives the position hash on each update (seconds).
pub const MARK_TTL: u64 = 3600;

/// What an entries line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open a position (closing one that is open on the symbol).
    Open(Side),
    /// Close the symbol's position.
    Close,
}

/// One line of an entries file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When (epoch seconds): the first bar at or after it acts.
    pub time: i64,
    /// The symbol (`None`: the only symbol fed).
    pub symbol: Option<String>,
    /// Open or close.
    pub action: Action,
    /// Bars the position is held before it closes by itself (`harvest backtest` lines).
    pub bars: Option<usize>,
}

/// An entries file read: the entries in time order, and the lines that could not be read (with
/// their numbers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entries {
    /// The entries, oldest first.
    pub entries: Vec<Entry>,
    /// `line N: why` of each line left out.
    pub problems: Vec<String>,
}

fn side_of(text: &str) -> Option<Action> {
    match text.trim().to_ascii_uppercase().as_str() {
        "LONG" | "BUY" => Some(Action::Open(Side::Long)),
        "SHORT" | "SELL" => Some(Action::Open(Side::Short)),
        "FLAT" | "CLOSE" | "EXIT" | "NONE" => Some(Action::Close),
        _ => None,
    }
}

/// Reads an entries file: CSV lines `time,side[,symbol]` (time as epoch seconds or ISO UTC; side
/// LONG/BUY or SHORT/SELL opens, FLAT/CLOSE closes; a header line and `#` comments are skipped),
/// or the JSON lines of `harvest backtest` (each trade opens at `entry_time` and closes `bars`
/// bars later; theta B's lines are left out).
///
/// ```
/// use harvest_kernel::Side;
/// use harvest_publisher::feed::paper::{read_entries, Action};
/// let e = read_entries("time,side,symbol\n2019-01-01 10:00,LONG,BTCUSD\n1546340400,flat\nx,LONG\n");
/// assert_eq!(e.entries[0].action, Action::Open(Side::Long));
/// assert_eq!(e.entries[0].symbol.as_deref(), Some("BTCUSD"));
/// assert_eq!(e.entries[1].action, Action::Close);
/// assert_eq!(e.problems.len(), 1);
/// let bt = read_entries(r#"{"theta":"A","side":"SHORT","entry_time":1546340400,"bars":5}"#);
/// assert_eq!(bt.entries[0].bars, Some(5));
/// ```
pub fn read_entries(text: &str) -> Entries {
    let mut out = Entries::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: String| format!("line {}: {why}", n + 1);
        if line.starts_with('{') {
            match backtest_line(line) {
                Ok(Some(e)) => out.entries.push(e),
                Ok(None) => {}
                Err(why) => out.problems.push(bad(why)),
            }
            continue;
        }
        let cells: Vec<&str> = line.split([',', ';', '\t']).map(str::trim).collect();
        let (t, s) = (cells[0], cells.get(1).copied().unwrap_or(""));
        if out.entries.is_empty() && out.problems.is_empty() && t.eq_ignore_ascii_case("time") {
            continue;
        }
        let symbol = cells
            .get(2)
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string());
        match (parse_time(t), side_of(s)) {
            (Ok(time), Some(action)) => out.entries.push(Entry {
                time,
                symbol,
                action,
                bars: None,
            }),
            (Err(e), _) => out.problems.push(bad(format!(
                "`{t}` is no time (epoch seconds or ISO UTC): {e}"
            ))),
            (_, None) => out.problems.push(bad(format!(
                "`{s}` is no side (LONG/BUY, SHORT/SELL, or FLAT/CLOSE)"
            ))),
        }
    }
    out.entries.sort_by_key(|e| e.time);
    out
}

fn backtest_line(line: &str) -> Result<Option<Entry>, String> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    if v.get("theta").and_then(|t| t.as_str()) == Some("B") {
        return Ok(None);
    }
    let time = v
        .get("entry_time")
        .and_then(serde_json::Value::as_i64)
        .ok_or("no `entry_time` (epoch seconds): expected a `harvest backtest` trade")?;
    let side = v.get("side").and_then(|s| s.as_str()).unwrap_or("");
    let Some(Action::Open(side)) = side_of(side) else {
        return Err(format!("`side` = {side:?} is not LONG or SHORT"));
    };
    let bars = v
        .get("bars")
        .and_then(serde_json::Value::as_u64)
        .map(|b| b.max(1) as usize);
    let symbol = v.get("symbol").and_then(|s| s.as_str()).map(str::to_string);
    Ok(Some(Entry {
        time,
        symbol,
        action: Action::Open(side),
        bars,
    }))
}

/// A paper position open on a symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct Paper {
    /// LONG or SHORT.
    pub side: Side,
    /// Entry price (the close of the bar it opened on).
    pub entry: f64,
    /// Quantity.
    pub qty: f64,
    /// Bars left before it closes by itself.
    pub bars_left: Option<usize>,
    /// `paper-<SYM>-<n>`.
    pub plan_id: String,
}

/// What to write for a symbol's position on a bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// `DEL` the position hash (closed).
    Close {
        /// The plan that closed.
        plan_id: String,
    },
    /// `HSET` the apply layer's fields, then `unrealized_pnl` `0.0`.
    Open(Vec<(&'static str, String)>),
    /// `HSET` the exchange sync's fields, `EXPIRE` [`MARK_TTL`].
    Mark(Vec<(&'static str, String)>),
}

/// The paper positions of one symbol, following its entries bar by bar.
#[derive(Debug, Clone)]
pub struct Book {
    symbol: String,
    entries: Vec<Entry>,
    next: usize,
    open: Option<Paper>,
    qty: f64,
    opened: usize,
    /// Added to entry times (each loop of the feed shifts the bars forward).
    shift: i64,
}

impl Book {
    /// The book of `symbol` over its entries (oldest first), each position of `qty`.
    pub fn new(symbol: &str, entries: Vec<Entry>, qty: f64) -> Book {
        Book {
            symbol: symbol.to_string(),
            entries,
            next: 0,
            open: None,
            qty,
            opened: 0,
            shift: 0,
        }
    }

    /// The open position, if any.
    pub fn open(&self) -> Option<&Paper> {
        self.open.as_ref()
    }

    /// Positions opened so far.
    pub fn opened(&self) -> usize {
        self.opened
    }

    /// Starts the entries over, their times shifted by `shift` seconds (the feed's next loop).
    /// Returns the write that closes a position left open.
    pub fn restart(&mut self, shift: i64) -> Option<Write> {
        self.next = 0;
        self.shift = shift;
        self.open
            .take()
            .map(|p| Write::Close { plan_id: p.plan_id })
    }

    /// Skips the entries before `time` (those before the feed's start are not played).
    pub fn skip_before(&mut self, time: i64) {
        while self.next < self.entries.len() && self.entries[self.next].time + self.shift < time {
            self.next += 1;
        }
    }

    /// The writes for a bar that opens at `time` and closes at `close`, `wall` the clock of the
    /// write (Unix seconds): closes and opens due by this bar, then the mark of the open position.
    pub fn on_bar(&mut self, time: i64, close: f64, wall: f64) -> Vec<Write> {
        let mut out = Vec::new();
        // A position held for its bars closes before anything else happens on this bar.
        if let Some(p) = &mut self.open {
            if let Some(left) = &mut p.bars_left {
                if *left == 0 {
                    let p = self.open.take().expect("open");
                    out.push(Write::Close { plan_id: p.plan_id });
                } else {
                    *left -= 1;
                }
            }
        }
        while self.next < self.entries.len() && self.entries[self.next].time + self.shift <= time {
            let e = self.entries[self.next].clone();
            self.next += 1;
            if let Some(p) = self.open.take() {
                out.push(Write::Close { plan_id: p.plan_id });
            }
            if let Action::Open(side) = e.action {
                self.opened += 1;
                let p = Paper {
                    side,
                    entry: close,
                    qty: self.qty,
                    // Held for `bars` bars after this one.
                    bars_left: e.bars.map(|b| b.saturating_sub(1)),
                    plan_id: format!("paper-{}-{}", self.symbol, self.opened),
                };
                out.push(Write::Open(open_fields(&self.symbol, &p, wall)));
                self.open = Some(p);
            }
        }
        if let Some(p) = &self.open {
            if !matches!(out.last(), Some(Write::Open(_))) {
                out.push(Write::Mark(mark_fields(&self.symbol, p, close, wall)));
            }
        }
        out
    }
}

fn side_text(side: Side) -> &'static str {
    match side {
        Side::Long => "LONG",
        Side::Short => "SHORT",
    }
}

/// The apply layer's hash of a new position (its field order), for a paper one.
///
/// ```
/// use harvest_kernel::Side;
/// use harvest_publisher::feed::paper::{open_fields, Paper};
/// let p = Paper { side: Side::Long, entry: 8035.88, qty: 1.0, bars_left: None, plan_id: "paper-BTCUSD-1".into() };
/// let f = open_fields("BTCUSD", &p, 1_800_000_000.5);
/// assert_eq!(f[1], ("side", "LONG".to_string()));
/// assert_eq!(f[3], ("entry_price", "8035.88".to_string()));
/// assert_eq!(f[8], ("created_at", "1800000000".to_string()));
/// ```
pub fn open_fields(symbol: &str, p: &Paper, wall: f64) -> Vec<(&'static str, String)> {
    vec![
        ("symbol", symbol.to_string()),
        ("side", side_text(p.side).to_string()),
        ("quantity", py_float(p.qty)),
        ("entry_price", py_float(p.entry)),
        ("leverage", "1.0".to_string()),
        ("stop_loss", "0".to_string()),
        ("take_profit", "0".to_string()),
        ("plan_id", p.plan_id.clone()),
        ("created_at", (wall.floor() as i64).to_string()),
        ("atr_value", "0.0".to_string()),
        ("volatility_factor", "0.0".to_string()),
        ("entry_risk_usdt", "0.0".to_string()),
        ("risk_price", "0.0".to_string()),
        ("risk_missing", "1".to_string()),
        ("unrealized_pnl", "0.0".to_string()),
    ]
}

/// The exchange sync's fields of an open position marked at `price`.
///
/// ```
/// use harvest_kernel::Side;
/// use harvest_publisher::feed::paper::{mark_fields, Paper};
/// let p = Paper { side: Side::Short, entry: 100.0, qty: 2.0, bars_left: None, plan_id: "paper-X-1".into() };
/// let f = mark_fields("X", &p, 97.5, 1_800_000_000.0);
/// assert_eq!(f[1], ("position_amt", "-2.0".to_string()));
/// assert_eq!(f[7], ("unrealized_pnl", "5.0".to_string()));
/// assert_eq!(f[10], ("source", "harvest-feed-paper".to_string()));
/// ```
pub fn mark_fields(symbol: &str, p: &Paper, price: f64, wall: f64) -> Vec<(&'static str, String)> {
    let sign = match p.side {
        Side::Long => 1.0,
        Side::Short => -1.0,
    };
    vec![
        ("symbol", symbol.to_string()),
        ("position_amt", py_float(sign * p.qty)),
        ("side", side_text(p.side).to_string()),
        ("quantity", py_float(p.qty)),
        ("entry_price", py_float(p.entry)),
        ("mark_price", py_float(price)),
        ("current_price", py_float(price)),
        ("unrealized_pnl", py_float(sign * (price - p.entry) * p.qty)),
        ("leverage", "1".to_string()),
        ("ts_epoch", (wall.floor() as i64).to_string()),
        ("source", PAPER_SOURCE.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<Entry> {
        let e = read_entries(text);
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        e.entries
    }

    #[test]
    fn problems_name_the_line() {
        let e = read_entries(
            "time,side\n\n# note\n2019-01-01,UP\nyesterday,LONG\n{\"side\":\"LONG\"}\n{oops\n",
        );
        let want = [
            "line 4: `UP` is no side (LONG/BUY, SHORT/SELL, or FLAT/CLOSE)",
            "line 5: `yesterday` is no time (epoch seconds or ISO UTC): ",
            "line 6: no `entry_time` (epoch seconds): expected a `harvest backtest` trade",
            "line 7: not JSON: ",
        ];
        assert_eq!(e.problems.len(), want.len(), "{:?}", e.problems);
        for (got, want) in e.problems.iter().zip(want) {
            assert!(got.starts_with(want), "{got}");
        }
        assert!(e.entries.is_empty());
    }

    #[test]
    fn a_book_opens_marks_and_closes() {
        let mut b = Book::new(
            "X",
            entries("100,LONG\n300,SHORT\n400,FLAT\n{\"side\":\"LONG\",\"entry_time\":500,\"bars\":2}\n"),
            1.0,
        );
        let kinds = |w: &[Write]| -> Vec<&'static str> {
            w.iter()
                .map(|w| match w {
                    Write::Open(_) => "open",
                    Write::Mark(_) => "mark",
                    Write::Close { .. } => "close",
                })
                .collect()
        };
        let mut got = Vec::new();
        for (t, close) in [
            (0, 10.0),
            (100, 11.0),
            (200, 12.0),
            (300, 13.0),
            (400, 14.0),
            (500, 15.0),
            (600, 16.0),
            (700, 17.0),
            (800, 18.0),
        ] {
            got.push((t, kinds(&b.on_bar(t, close, 1e9))));
        }
        assert_eq!(
            got,
            [
                (0, vec![]),
                (100, vec!["open"]),
                (200, vec!["mark"]),
                (300, vec!["close", "open"]),
                (400, vec!["close"]),
                (500, vec!["open"]),
                (600, vec!["mark"]),
                (700, vec!["close"]), // held 2 bars: 500 and 600
                (800, vec![]),
            ]
        );
        assert_eq!(b.opened(), 3);
        // The mark of bar 200: LONG from 11 at 12.
        let mut b = Book::new("X", entries("100,LONG\n"), 2.0);
        b.on_bar(100, 11.0, 1e9);
        let Write::Mark(f) = &b.on_bar(200, 12.0, 1e9)[0] else {
            panic!()
        };
        assert!(f.contains(&("unrealized_pnl", "2.0".to_string())));
        // A restart closes what is open and plays the entries again, shifted.
        assert!(matches!(b.restart(1000), Some(Write::Close { .. })));
        assert!(b.on_bar(200, 1.0, 1e9).is_empty());
        assert!(matches!(b.on_bar(1100, 1.0, 1e9)[0], Write::Open(_)));
    }
}
