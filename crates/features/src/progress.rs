//! A running job's progress, as the reviewer and the replay view show it on their progress cards:
//! what it does, how far it is, the figures beside the bar and the elapsed time.

use serde::Serialize;

use crate::format::fmt_duration;
use crate::format::{fmt_bytes, fmt_count};

/// What a job counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Bytes of a file (shown as sizes: `5.0 MB`).
    Bytes,
    /// Records (re-reviewed).
    Records,
    /// Price bars (market states computed).
    Bars,
    /// Trades (of a backtest or a sweep).
    Trades,
}

impl Unit {
    /// The unit's word as the figures show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::Records => "records",
            Unit::Bars => "bars",
            Unit::Trades => "trades",
        }
    }
}

/// A job in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// What it is doing, e.g. "Reviewing big.jsonl".
    pub label: String,
    /// Units done.
    pub done: f64,
    /// Of how many, if known.
    pub total: Option<f64>,
    /// What `done` and `total` count.
    pub unit: Unit,
    /// Lines read so far, for a job that reads lines (shown after the bytes).
    pub lines: Option<usize>,
    /// When it started, in ms (`performance.now()`).
    pub started_ms: f64,
    /// Whether Cancel applies.
    pub cancellable: bool,
}

impl Progress {
    /// A job of `unit`s (of `total`, if known) that starts at `started_ms` with nothing done, no
    /// lines read and no Cancel.
    ///
    /// ```
    /// use harvest_features::progress::{Progress, Unit};
    /// let p = Progress::new("Fetching", Unit::Bytes, None, 0.0);
    /// assert_eq!(p.figures(0.0), "0 B · 0 ms");
    /// ```
    pub fn new(label: impl Into<String>, unit: Unit, total: Option<f64>, started_ms: f64) -> Self {
        Progress {
            label: label.into(),
            done: 0.0,
            total,
            unit,
            lines: None,
            started_ms,
            cancellable: false,
        }
    }

    /// The figures beside the bar at `now_ms`: done of total (sizes for bytes, counts and the
    /// unit's word for the rest), the lines read when known, and the time since the start
    /// ([`fmt_duration`]: ms under a second).
    ///
    /// ```
    /// use harvest_features::progress::{Progress, Unit};
    /// let p = Progress { done: 5e6, total: Some(5e7), lines: Some(4000),
    ///                    ..Progress::new("Reviewing a.jsonl", Unit::Bytes, None, 0.0) };
    /// assert_eq!(p.figures(1500.0), "5.0 MB of 50.0 MB · 4,000 lines · 1.5 s");
    /// let b = Progress { done: 12000.0, total: Some(20111.0), ..Progress::new("P0", Unit::Bars, None, 0.0) };
    /// assert_eq!(b.figures(3200.0), "12,000 of 20,111 bars · 3.2 s");
    /// ```
    pub fn figures(&self, now_ms: f64) -> String {
        let amount = |v: f64| match self.unit {
            Unit::Bytes => fmt_bytes(v),
            _ => fmt_count(v as usize),
        };
        let word = match self.unit {
            Unit::Bytes => String::new(),
            u => format!(" {}", u.as_str()),
        };
        let mut what = match self.total {
            Some(t) => format!("{} of {}{word}", amount(self.done), amount(t)),
            None => format!("{}{word}", amount(self.done)),
        };
        if let Some(lines) = self.lines {
            what.push_str(&format!(" · {} lines", fmt_count(lines)));
        }
        format!("{what} · {}", fmt_duration(now_ms - self.started_ms))
    }

    /// The `<progress>` element's `max`: the total (at least 1; 1 while unknown).
    pub fn max(&self) -> f64 {
        self.total.unwrap_or(0.0).max(1.0)
    }

    /// Done as a fraction of the total, in [0, 1] (0 while the total is unknown).
    ///
    /// ```
    /// use harvest_features::progress::{Progress, Unit};
    /// let p = Progress { done: 5.0, total: Some(20.0), ..Progress::new("x", Unit::Trades, None, 0.0) };
    /// assert_eq!(p.fraction(), 0.25);
    /// ```
    pub fn fraction(&self) -> f64 {
        match self.total {
            Some(t) if t > 0.0 => (self.done / t).clamp(0.0, 1.0),
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_every_kind_of_job() {
        let p = |unit, total, done, lines| Progress {
            done,
            lines,
            ..Progress::new("", unit, total, 1000.0)
        };
        let cases = [
            (
                p(Unit::Bytes, Some(5e7), 5e6, Some(12_345)),
                "5.0 MB of 50.0 MB · 12,345 lines · 2.0 s",
            ),
            (p(Unit::Bytes, None, 512.0, None), "512 B · 2.0 s"),
            (
                p(Unit::Bytes, Some(1.5e6), 5e5, None),
                "500.0 KB of 1.5 MB · 2.0 s",
            ),
            (
                p(Unit::Records, Some(100_000.0), 2500.0, None),
                "2,500 of 100,000 records · 2.0 s",
            ),
            (p(Unit::Records, None, 7.0, None), "7 records · 2.0 s"),
            (
                p(Unit::Bars, Some(20_111.0), 12_000.0, None),
                "12,000 of 20,111 bars · 2.0 s",
            ),
            (
                p(Unit::Trades, Some(1000.0), 250.0, None),
                "250 of 1,000 trades · 2.0 s",
            ),
        ];
        for (prog, want) in cases {
            assert_eq!(prog.figures(3000.0), want);
        }
        assert_eq!(
            p(Unit::Bytes, None, 0.0, None).figures(0.0),
            "0 B · 0 ms",
            "never negative"
        );
        // A run of 1.2 s reads so, one of 40 ms in ms (never "0.0 s").
        assert_eq!(
            p(Unit::Trades, None, 1.0, None).figures(2200.0),
            "1 trades · 1.2 s"
        );
        assert_eq!(
            p(Unit::Trades, None, 1.0, None).figures(1040.0),
            "1 trades · 40 ms"
        );
    }

    #[test]
    fn bar_bounds() {
        let p = |total, done| Progress {
            done,
            ..Progress::new("", Unit::Trades, total, 0.0)
        };
        assert_eq!(p(None, 3.0).max(), 1.0);
        assert_eq!(p(Some(5e7), 0.0).max(), 5e7);
        assert_eq!(p(None, 3.0).fraction(), 0.0);
        assert_eq!(p(Some(0.0), 3.0).fraction(), 0.0);
        assert_eq!(p(Some(4.0), 9.0).fraction(), 1.0);
        assert_eq!(p(Some(4.0), 1.0).fraction(), 0.25);
    }
}
