//! Several symbols at once, as `harvest backtest FILE…` and the Replay view both run them: each
//! symbol's backtest, then the **pooled** figures — every symbol's trades in one timeline by
//! entry time (then symbol order, then trade number), so the pooled drawdown is that of one
//! account trading them all; and a sweep whose every cell is run on each symbol and pooled.

use super::backtest::{summarize, Backtest, Entry, Report, SweepAxis, SweepCell, ThetaSweep};
use super::sim::{Series, SimError, SimParams};
use super::TradeRow;
use crate::csv_text::{row, Cell};
use harvest_kernel::Theta;

/// The rows of several symbols (in symbol order) pooled by entry time, then symbol order, then
/// trade number.
///
/// ```
/// use harvest_features::replay::pool::pool_rows;
/// assert!(pool_rows(&[&[], &[]]).is_empty());
/// ```
pub fn pool_rows(parts: &[&[TradeRow]]) -> Vec<TradeRow> {
    let mut all: Vec<(i64, usize, &TradeRow)> = parts
        .iter()
        .enumerate()
        .flat_map(|(k, rows)| rows.iter().map(move |r| (r.entry_time, k, r)))
        .collect();
    all.sort_by_key(|(t, k, r)| (*t, *k, r.n));
    all.into_iter().map(|(_, _, r)| r.clone()).collect()
}

/// One symbol's backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct SymbolRun {
    /// The symbol.
    pub symbol: String,
    /// Its rows, in entry order.
    pub rows: Vec<TradeRow>,
    /// Its report.
    pub report: Report,
}

/// Several symbols' backtests and the pooled one.
#[derive(Debug, Clone, PartialEq)]
pub struct PooledRun {
    /// Each symbol's, in symbol order.
    pub symbols: Vec<SymbolRun>,
    /// Every symbol's rows by entry time ([`pool_rows`]).
    pub rows: Vec<TradeRow>,
    /// The report of the pooled rows; its skipped entries name their symbol when there are
    /// several.
    pub report: Report,
}

impl PooledRun {
    /// Pools `symbols` (in the order given: the CLI's and the page's is by symbol name).
    ///
    /// ```
    /// use harvest_features::replay::pool::{PooledRun, SymbolRun};
    /// use harvest_features::replay::Report;
    /// let one = |s: &str| SymbolRun { symbol: s.into(), rows: vec![], report: Report { skipped: vec!["x".into()], ..Report::default() } };
    /// let p = PooledRun::of(vec![one("A"), one("B")]);
    /// assert_eq!(p.report.skipped, ["A: x", "B: x"]);
    /// assert_eq!(PooledRun::of(vec![one("A")]).report.skipped, ["x"]);
    /// ```
    pub fn of(symbols: Vec<SymbolRun>) -> PooledRun {
        let parts: Vec<&[TradeRow]> = symbols.iter().map(|s| s.rows.as_slice()).collect();
        let rows = pool_rows(&parts);
        let several = symbols.len() > 1;
        let skipped = symbols
            .iter()
            .flat_map(|s| {
                s.report.skipped.iter().map(move |x| {
                    if several {
                        format!("{}: {x}", s.symbol)
                    } else {
                        x.clone()
                    }
                })
            })
            .collect();
        let report = Report::of(&rows, skipped);
        PooledRun {
            symbols,
            rows,
            report,
        }
    }
}

/// A sweep of two theta axes on several symbols: each cell is a backtest of every symbol's
/// entries, summarised per symbol and pooled ([`pool_rows`]), a symbol at a time (so a page can
/// run it in slices).
#[derive(Debug, Clone)]
pub struct MultiSweep {
    /// The symbols, in order.
    pub names: Vec<String>,
    /// Each symbol's cells (its `entries` are that symbol's).
    pub per: Vec<ThetaSweep>,
    /// The pooled cells (no entries of its own).
    pub pooled: ThetaSweep,
    /// The backtest in progress (of the cell's next symbol).
    current: Option<Backtest>,
    /// The rows of the cell in progress, of the symbols done.
    cell_rows: Vec<Vec<TradeRow>>,
}

impl MultiSweep {
    /// A sweep of `x` × `y` around `base` on `symbols` (name, entries), in that order.
    ///
    /// # Errors
    /// Same axis twice, or invalid settings.
    pub fn new(
        x: SweepAxis,
        y: SweepAxis,
        base: Theta,
        symbols: Vec<(String, Vec<Entry>)>,
        params: SimParams,
    ) -> Result<MultiSweep, SimError> {
        let pooled = ThetaSweep::new(x, y, base, Vec::new(), params)?;
        let mut names = Vec::new();
        let mut per = Vec::new();
        for (name, entries) in symbols {
            names.push(name);
            per.push(ThetaSweep::new(x, y, base, entries, params)?);
        }
        Ok(MultiSweep {
            names,
            per,
            pooled,
            current: None,
            cell_rows: Vec::new(),
        })
    }

    /// Cells in all.
    pub fn total(&self) -> usize {
        self.pooled.total()
    }

    /// Entries of every symbol (the trades of one cell).
    pub fn entries(&self) -> usize {
        self.per.iter().map(|s| s.entries.len()).sum()
    }

    /// Trades simulated so far, out of `total() · entries()`.
    pub fn trades_done(&self) -> usize {
        self.pooled.cells.len() * self.entries()
            + self.per[..self.cell_rows.len().min(self.per.len())]
                .iter()
                .map(|s| s.entries.len())
                .sum::<usize>()
            + self.current.as_ref().map_or(0, |b| b.next)
    }

    /// Whether every cell is done.
    pub fn done(&self) -> bool {
        self.pooled.done()
    }

    /// Works while `more()` says so (at least one trade or cell); true when every cell is done.
    /// `series[j]` is symbol `j`'s.
    pub fn step(&mut self, series: &[&Series], mut more: impl FnMut() -> bool) -> bool {
        while !self.done() {
            let k = self.pooled.cells.len();
            let (x, y) = (self.pooled.x, self.pooled.y);
            let (xv, yv) = (x.value(k % x.n), y.value(k / x.n));
            let theta = self.pooled.base.with(x.field, xv).with(y.field, yv);
            let j = self.cell_rows.len();
            if j == self.per.len() {
                // Every symbol's part of the cell is done: pool it.
                let parts: Vec<&[TradeRow]> = self.cell_rows.iter().map(Vec::as_slice).collect();
                let rs: Vec<f64> = pool_rows(&parts).iter().map(|r| r.r).collect();
                self.pooled.cells.push(SweepCell {
                    x: xv,
                    y: yv,
                    summary: Some(summarize(&rs)),
                });
                self.cell_rows.clear();
                continue;
            }
            let b = match self.current.take() {
                Some(b) => Some(b),
                None => Backtest::new(self.per[j].entries.clone(), theta, self.pooled.params).ok(),
            };
            let Some(mut b) = b else {
                // An invalid theta is invalid on every symbol.
                let empty = SweepCell {
                    x: xv,
                    y: yv,
                    summary: None,
                };
                for s in &mut self.per {
                    s.cells.push(empty.clone());
                }
                self.pooled.cells.push(empty);
                self.cell_rows.clear();
                if !more() {
                    break;
                }
                continue;
            };
            let Some(s) = series.get(j) else {
                break;
            };
            if b.step(s, &mut more) {
                let rs: Vec<f64> = b.rows.iter().map(|r| r.r).collect();
                self.per[j].cells.push(SweepCell {
                    x: xv,
                    y: yv,
                    summary: Some(summarize(&rs)),
                });
                self.cell_rows.push(b.rows);
            } else {
                self.current = Some(b);
                break;
            }
            if !more() {
                break;
            }
        }
        self.done()
    }

    /// The CSV ([`sweep_csv`]).
    pub fn to_csv(&self) -> String {
        sweep_csv(&self.names, &self.per, &self.pooled)
    }
}

/// A sweep's CSV on several symbols, as `harvest backtest --sweep` writes it: one symbol's as
/// [`ThetaSweep::to_csv`]; several with a `symbol` column first, each symbol's cells, then the
/// pooled ones (symbol `pooled`).
pub fn sweep_csv(names: &[String], per: &[ThetaSweep], pooled: &ThetaSweep) -> String {
    if let [one] = per {
        return one.to_csv();
    }
    let mut text = String::new();
    let parts = names
        .iter()
        .map(String::as_str)
        .zip(per)
        .chain(std::iter::once(("pooled", pooled)));
    for (i, (name, sweep)) in parts.enumerate() {
        for (l, line) in sweep.to_csv().lines().enumerate() {
            if l == 0 {
                if i == 0 {
                    text.push_str(&format!("symbol,{line}\n"));
                }
                continue;
            }
            text.push_str(&format!("{},{line}\n", row(&[Cell::Text(name)])));
        }
    }
    text
}
