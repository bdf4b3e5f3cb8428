//! When cycles run: a fixed schedule that never drifts, and the backoff after a lost Redis.

use std::time::Duration;

/// The fixed schedule: cycles start at `k · interval` after the service started; after a cycle
/// that ends `elapsed` after the start, the next one starts at the first such time after it
/// (a cycle that overran skips the starts it missed; the schedule never shifts).
///
/// ```
/// use std::time::Duration;
/// use harvest_publisher::runtime::schedule::next_start;
/// let s = Duration::from_secs;
/// assert_eq!(next_start(Duration::from_millis(30), s(10)), s(10));
/// assert_eq!(next_start(Duration::from_millis(25_100), s(10)), s(30));
/// ```
pub fn next_start(elapsed: Duration, interval: Duration) -> Duration {
    let i = interval.as_nanos().max(1);
    let k = elapsed.as_nanos() / i + 1;
    Duration::from_nanos(u64::try_from(k * i).unwrap_or(u64::MAX))
}

/// The backoff after `failures` failed attempts in a row: 0.5 s doubling, at most 30 s.
///
/// ```
/// use std::time::Duration;
/// use harvest_publisher::runtime::schedule::backoff;
/// assert_eq!(backoff(1), Duration::from_millis(500));
/// assert_eq!(backoff(3), Duration::from_secs(2));
/// assert_eq!(backoff(20), Duration::from_secs(30));
/// ```
pub fn backoff(failures: u32) -> Duration {
    let ms = 500u64.saturating_mul(1u64 << failures.saturating_sub(1).min(16));
    Duration::from_millis(ms.min(30_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_table() {
        let ms = Duration::from_millis;
        let cases = [
            (0, 10_000, 10_000),
            (1, 10_000, 10_000),
            (9_999, 10_000, 10_000),
            (10_000, 10_000, 20_000),
            (10_004, 10_000, 20_000), // a 4 ms cycle: the next start stays on the grid
            (35_000, 10_000, 40_000), // overran: skips 20 s and 30 s
            (700, 250, 750),
            (5, 0, 6), // a zero interval counts as 1 ns
        ];
        for (elapsed, interval, want) in cases {
            let got = next_start(ms(elapsed), ms(interval));
            let want = if interval == 0 {
                Duration::from_nanos(5_000_001)
            } else {
                ms(want)
            };
            assert_eq!(got, want, "{elapsed} {interval}");
        }
        // No drift: a thousand 3 ms cycles every 10 ms end exactly on the grid.
        let mut t = Duration::ZERO;
        for _ in 0..1000 {
            t = next_start(t + ms(3), ms(10));
        }
        assert_eq!(t, ms(10_000));
    }
}
