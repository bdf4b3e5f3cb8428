//! Pure: a price file as a tape — the history written at once, then one bar at a time, each due
//! when the simulated clock (`--speed` seconds of bars a second) reaches it; with `--loop` the
//! tape starts over with its times shifted forward, so the cache's scores keep rising.

use harvest_market::Bar;

use super::candle::bar_seconds;

/// Why a tape cannot be played.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TapeError {
    /// `--from`/`--until` leave no bar to play.
    #[error("{symbol}: no bar between --from and --until (the file has bars from {first} to {last}, epoch seconds)")]
    Empty {
        /// The symbol.
        symbol: String,
        /// The file's first bar time.
        first: i64,
        /// The file's last bar time.
        last: i64,
    },
    /// The file has no bars.
    #[error("{0}: the file has no bars")]
    NoBars(String),
}

/// A bar as played: its time shifted by the loops so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Played {
    /// The bar (time shifted).
    pub bar: Bar,
    /// Its position in the file.
    pub index: usize,
    /// The first bar of a new loop (not of the first one).
    pub new_loop: bool,
}

/// One symbol's bars and where the play is.
#[derive(Debug, Clone)]
pub struct Tape {
    /// The symbol.
    pub symbol: String,
    bars: Vec<Bar>,
    seconds: i64,
    history: usize,
    first: usize,
    end: usize,
    next: usize,
    loops: i64,
    looping: bool,
}

impl Tape {
    /// A tape of `bars` (oldest first): play from the first bar at or after `from` (default: the
    /// bar after the first `history`), up to `until` (inclusive); the `history` bars before the
    /// start are written at once.
    ///
    /// # Errors
    /// No bars, or none to play between `from` and `until`.
    ///
    /// ```
    /// use harvest_market::Bar;
    /// use harvest_publisher::feed::play::Tape;
    /// let bars: Vec<Bar> = (0..10).map(|i| Bar { time: 3600 * i, open: 1.0, high: 1.0, low: 1.0, close: 1.0, volume: None }).collect();
    /// let mut t = Tape::new("X", bars, None, None, 4, false).unwrap();
    /// assert_eq!(t.history().len(), 4);
    /// assert_eq!(t.next_due(), Some(0));
    /// t.take();
    /// assert_eq!(t.next_due(), Some(3600));
    /// ```
    pub fn new(
        symbol: &str,
        bars: Vec<Bar>,
        from: Option<i64>,
        until: Option<i64>,
        history: usize,
        looping: bool,
    ) -> Result<Tape, TapeError> {
        let (Some(first_bar), Some(last_bar)) = (bars.first(), bars.last()) else {
            return Err(TapeError::NoBars(symbol.to_string()));
        };
        let empty = || TapeError::Empty {
            symbol: symbol.to_string(),
            first: first_bar.time,
            last: last_bar.time,
        };
        let first = match from {
            Some(t) => bars.partition_point(|b| b.time < t),
            None => history.min(bars.len() - 1),
        };
        let end = match until {
            Some(t) => bars.partition_point(|b| b.time <= t),
            None => bars.len(),
        };
        if first >= end {
            return Err(empty());
        }
        Ok(Tape {
            symbol: symbol.to_string(),
            seconds: bar_seconds(&bars),
            bars,
            history,
            first,
            end,
            next: first,
            loops: 0,
            looping,
        })
    }

    /// The bars written at once before the play (up to `history` before the start).
    pub fn history(&self) -> &[Bar] {
        &self.bars[self.first.saturating_sub(self.history)..self.first]
    }

    /// The time of the first bar played.
    pub fn start_time(&self) -> i64 {
        self.bars[self.first].time
    }

    /// The usual spacing of the bars, seconds.
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// Bars to play in one loop.
    pub fn len(&self) -> usize {
        self.end - self.first
    }

    /// Whether there is nothing to play (never: [`Tape::new`] refuses that).
    pub fn is_empty(&self) -> bool {
        self.end == self.first
    }

    /// Loops completed.
    pub fn loops(&self) -> i64 {
        self.loops
    }

    /// Seconds one loop shifts the times by: its span plus one bar.
    pub fn loop_shift(&self) -> i64 {
        self.bars[self.end - 1].time - self.bars[self.first].time + self.seconds
    }

    /// When the next bar is due, in simulated seconds since the play started; `None` when the
    /// tape is over.
    pub fn next_due(&self) -> Option<i64> {
        let (index, loops) = self.position()?;
        Some(self.bars[index].time + loops * self.loop_shift() - self.bars[self.first].time)
    }

    fn position(&self) -> Option<(usize, i64)> {
        if self.next < self.end {
            Some((self.next, self.loops))
        } else if self.looping {
            Some((self.first, self.loops + 1))
        } else {
            None
        }
    }

    /// The next bar (its time shifted by the loops so far).
    pub fn take(&mut self) -> Option<Played> {
        let (index, loops) = self.position()?;
        let new_loop = loops > self.loops;
        self.loops = loops;
        self.next = index + 1;
        let mut bar = self.bars[index];
        bar.time += loops * self.loop_shift();
        Some(Played {
            bar,
            index,
            new_loop,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(n: i64) -> Vec<Bar> {
        (0..n)
            .map(|i| Bar {
                time: 1_000_000 + 3600 * i,
                open: 1.0,
                high: 1.0,
                low: 1.0,
                close: i as f64,
                volume: None,
            })
            .collect()
    }

    #[test]
    fn from_until_history_and_loops() {
        let mut t = Tape::new(
            "X",
            bars(10),
            Some(1_000_000 + 3600 * 6),
            Some(1_000_000 + 3600 * 8),
            3,
            true,
        )
        .unwrap();
        assert_eq!(
            t.history().iter().map(|b| b.close).collect::<Vec<_>>(),
            [3.0, 4.0, 5.0]
        );
        assert_eq!(t.len(), 3);
        let mut got = Vec::new();
        for _ in 0..7 {
            let due = t.next_due().unwrap();
            let p = t.take().unwrap();
            got.push((due, p.bar.close, p.new_loop));
        }
        // Bars 6, 7, 8, then again shifted by 3 bars (10,800 s).
        assert_eq!(
            got,
            [
                (0, 6.0, false),
                (3600, 7.0, false),
                (7200, 8.0, false),
                (10800, 6.0, true),
                (14400, 7.0, false),
                (18000, 8.0, false),
                (21600, 6.0, true),
            ]
        );
        let mut once = Tape::new("X", bars(5), None, None, 300, false).unwrap();
        // Fewer bars than the history: all but the last are history, the last is played.
        assert_eq!(once.history().len(), 4);
        assert!(once.take().is_some() && once.take().is_none());
        assert_eq!(
            Tape::new("X", bars(5), Some(9_999_999), None, 3, false).unwrap_err(),
            TapeError::Empty {
                symbol: "X".into(),
                first: 1_000_000,
                last: 1_014_400
            }
        );
        assert_eq!(
            Tape::new("X", vec![], None, None, 3, false).unwrap_err(),
            TapeError::NoBars("X".into())
        );
    }
}
