//! P0 over a window of closes that grows one close at a time (the P0.5 service keeps one per
//! symbol between cycles): a new close costs one step of each sliding Theil–Sen median, not a
//! fresh computation, and the state is bit for bit [`market_state`](super::market_state) of the
//! window's closes.

use super::{state_from_parts, MedianSlopes, P0Params, Scratch};
use crate::error::{positive, MarketError};
use crate::p0::MarketState;

/// Log prices kept beyond those a state needs before the oldest are dropped (then each median
/// is rebuilt once: about one fresh state's cost every few thousand closes).
const SLACK: usize = 4096;

/// Steps a median tracker walks one close at a time to catch up; further behind it is rebuilt.
const CATCH_UP: usize = 32;

/// The market state of a window of the latest `capacity` closes, fed one close at a time.
///
/// Only the last [`P0Params::min_closes`] closes enter the state (257 by default): the window's
/// capacity is how many closes it counts (the P0.5 service publishes it as `buffer_size`).
/// Each [`push`](Self::push) stores the close's log price; [`state`](Self::state) brings the
/// three Theil–Sen medians up to the last close, one incremental step per close since the last
/// call (a rebuild when far behind), and computes the rest of the state from the last returns.
/// The medians recompute slopes from the log prices rather than keep them (a window holds about
/// 40 KiB, not 700), so a service can keep thousands.
///
/// ```
/// use harvest_market::p0::{market_state, P0Params, P0Window};
/// let closes: Vec<f64> = (0..400).map(|i| 100.0 + (i as f64 * 0.7).sin() + i as f64 * 0.01).collect();
/// let mut w = P0Window::new(P0Params::default(), 300).unwrap();
/// for &c in &closes[..350] {
///     w.push(c).unwrap();
/// }
/// assert_eq!(w.len(), 300);
/// assert_eq!(w.state(), Some(market_state(&closes[..350], &P0Params::default()).unwrap()));
/// w.push(closes[350]).unwrap(); // one new close: one step of each median
/// assert_eq!(w.state(), Some(market_state(&closes[..351], &P0Params::default()).unwrap()));
/// ```
pub struct P0Window {
    params: P0Params,
    need: usize,
    capacity: usize,
    held: usize,
    /// Log prices, oldest first; index `i` is close `base + i` of the series pushed.
    lp: Vec<f64>,
    trackers: [MedianSlopes; 3],
    /// The trackers' last slopes, for `lp.len() − 1` when `fresh`.
    slopes: [f64; 3],
    fresh: bool,
    returns: Vec<f64>,
    scratch: Scratch,
}

impl std::fmt::Debug for P0Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P0Window")
            .field("capacity", &self.capacity)
            .field("held", &self.held)
            .finish_non_exhaustive()
    }
}

impl P0Window {
    /// An empty window of `capacity` closes.
    ///
    /// # Errors
    /// Parameters out of range (`params.<field>`); a capacity below `params.min_closes()`
    /// (`capacity`: such a window never has a state).
    ///
    /// ```
    /// use harvest_market::p0::{P0Params, P0Window};
    /// assert!(P0Window::new(P0Params::default(), 300).is_ok());
    /// assert_eq!(P0Window::new(P0Params::default(), 200).unwrap_err().field(), "capacity");
    /// ```
    pub fn new(params: P0Params, capacity: usize) -> Result<P0Window, MarketError> {
        params.validate()?;
        let need = params.min_closes();
        if capacity < need {
            return Err(MarketError::OutOfRange {
                field: "capacity".into(),
                value: capacity as f64,
                expected: format!("at least {need} closes (P0's windows need {need})"),
            });
        }
        Ok(P0Window {
            trackers: params.mu_windows.map(MedianSlopes::lean),
            params,
            need,
            capacity,
            held: 0,
            lp: Vec::new(),
            slopes: [0.0; 3],
            fresh: false,
            returns: Vec::new(),
            scratch: Scratch::default(),
        })
    }

    /// Closes held (at most the capacity).
    pub fn len(&self) -> usize {
        self.held
    }

    /// Whether no close is held.
    pub fn is_empty(&self) -> bool {
        self.held == 0
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets every close.
    pub fn clear(&mut self) {
        self.held = 0;
        self.lp.clear();
        self.fresh = false;
        for t in &mut self.trackers {
            t.last = None;
        }
    }

    /// Appends a close (the oldest beyond the capacity leaves the window).
    ///
    /// # Errors
    /// A close that is not a finite number > 0 (`close`); the window is unchanged.
    pub fn push(&mut self, close: f64) -> Result<(), MarketError> {
        positive(|| "close".into(), close)?;
        if self.lp.len() >= self.need + SLACK {
            let drop = self.lp.len() - self.need;
            self.lp.drain(..drop);
            // The trackers index log prices by position: rebuilt at the next state.
            for t in &mut self.trackers {
                t.last = None;
            }
        }
        self.lp.push((close + self.params.eps).ln());
        self.held = (self.held + 1).min(self.capacity);
        self.fresh = false;
        Ok(())
    }

    /// The market state of the last close; `None` while fewer than `params.min_closes()` closes
    /// are held.
    pub fn state(&mut self) -> Option<MarketState> {
        if self.held < self.need {
            return None;
        }
        let t = self.lp.len() - 1;
        if !self.fresh {
            for (k, tr) in self.trackers.iter_mut().enumerate() {
                let from = match tr.last {
                    Some(last) if last < t && t - last <= CATCH_UP => last + 1,
                    _ => t,
                };
                for step in from..=t {
                    self.slopes[k] = tr.advance(&self.lp, step);
                }
            }
            self.fresh = true;
        }
        let ret_window = self.params.vol_window.max(self.params.regime_window);
        let first = self.lp.len() - ret_window - 1;
        self.returns.clear();
        self.returns
            .extend(self.lp[first..].windows(2).map(|w| w[1] - w[0]));
        Some(state_from_parts(
            &self.returns,
            self.slopes,
            &self.params,
            &mut self.scratch,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p0::market_state;

    /// A walk with plateaus and jumps (ties and band moves in the medians).
    fn series(n: usize) -> Vec<f64> {
        let mut x = 100.0f64;
        (0..n)
            .map(|i| {
                x *= 1.0 + ((i * 7919 % 23) as f64 - 11.0) * 1e-3;
                if i % 211 == 0 {
                    x *= 1.04;
                }
                if i % 17 < 4 {
                    (x * 10.0).round() / 10.0
                } else {
                    x
                }
            })
            .collect()
    }

    #[test]
    fn equals_a_fresh_state_after_any_pushes() {
        let closes = series(5200);
        let p = P0Params::default();
        let mut w = P0Window::new(p, 300).unwrap();
        let mut i = 0;
        // Chunks of 1 to 40 closes between states: incremental steps, catch-ups and rebuilds;
        // past 4,096 + 257 log prices the oldest are dropped.
        let mut chunk = 1;
        while i < closes.len() {
            for &c in &closes[i..(i + chunk).min(closes.len())] {
                w.push(c).unwrap();
            }
            i = (i + chunk).min(closes.len());
            chunk = chunk % 40 + 1;
            match w.state() {
                None => assert!(i < 257, "{i}"),
                Some(got) => {
                    let want = market_state(&closes[..i], &p).unwrap();
                    assert_eq!(got, want, "after {i} closes");
                    assert_eq!(got.sigma.to_bits(), want.sigma.to_bits());
                    assert_eq!(got.mu.to_bits(), want.mu.to_bits());
                }
            }
            assert_eq!(w.len(), i.min(300));
        }
    }

    #[test]
    fn clear_starts_over_and_bad_closes_are_refused() {
        let closes = series(700);
        let p = P0Params::default();
        let mut w = P0Window::new(p, 257).unwrap();
        for &c in &closes[..400] {
            w.push(c).unwrap();
        }
        assert!(w.state().is_some());
        w.clear();
        assert!(w.is_empty() && w.state().is_none());
        for &c in &closes[400..657] {
            w.push(c).unwrap();
        }
        assert_eq!(
            w.state(),
            Some(market_state(&closes[400..657], &p).unwrap())
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(w.push(bad).unwrap_err().field(), "close", "{bad}");
        }
        assert_eq!(w.len(), 257);
        // A second state without new closes is the same state.
        assert_eq!(w.state(), w.state());
    }
}
