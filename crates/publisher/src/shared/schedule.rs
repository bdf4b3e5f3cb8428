//! What every service's loop shares: the fixed cycle schedule, the stop signals (SIGTERM,
//! SIGINT taken with `sigwait`, so no handler interrupts a Redis read), the reconnect backoff.

use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// The fixed schedule: cycles start at `k · interval` after the service started; after a cycle
/// that ends `elapsed` after the start, the next one starts at the first such time after it
/// (a cycle that overran skips the starts it missed; the schedule never shifts).
///
/// ```
/// use std::time::Duration;
/// use harvest_publisher::shared::schedule::next_start;
/// let s = Duration::from_secs;
/// assert_eq!(next_start(Duration::from_millis(30), s(10)), s(10));
/// assert_eq!(next_start(Duration::from_millis(25_100), s(10)), s(30));
/// ```
pub fn next_start(elapsed: Duration, interval: Duration) -> Duration {
    let i = interval.as_nanos().max(1);
    let k = elapsed.as_nanos() / i + 1;
    Duration::from_nanos(u64::try_from(k * i).unwrap_or(u64::MAX))
}

/// The signals that stop the service (SIGTERM, SIGINT), delivered on a channel.
///
/// Call it before starting any other thread: it blocks both signals in the calling thread (and
/// so in every thread started later) and takes them in one thread with `sigwait`. No signal
/// handler ever runs, so no Redis read is interrupted mid-cycle (a socket read with a timeout
/// fails with EINTR after a handler, even with SA_RESTART).
///
/// # Errors
/// The signal mask cannot be set.
pub fn stop_signals() -> std::io::Result<Receiver<i32>> {
    // SAFETY: plain libc calls on a zeroed, locally owned sigset_t; no pointers are kept.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if rc != 0 {
            return Err(std::io::Error::from_raw_os_error(rc));
        }
        set
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || loop {
        let mut sig: libc::c_int = 0;
        // SAFETY: `set` is a valid sigset_t owned by this closure; `sig` is a valid out-pointer.
        let rc = unsafe { libc::sigwait(&set, &mut sig) };
        if rc == 0 && tx.send(sig).is_err() {
            break;
        }
    });
    Ok(rx)
}

/// The name of a stop signal, for the log line.
pub fn signal_name(s: i32) -> &'static str {
    match s {
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        _ => "signal",
    }
}

/// The backoff after `failures` failed attempts in a row: 0.5 s doubling, at most 30 s.
///
/// ```
/// use std::time::Duration;
/// use harvest_publisher::shared::schedule::backoff;
/// assert_eq!(backoff(1), Duration::from_millis(500));
/// assert_eq!(backoff(3), Duration::from_secs(2));
/// assert_eq!(backoff(20), Duration::from_secs(30));
/// ```
pub fn backoff(failures: u32) -> Duration {
    harvest_redis::backoff(failures, Duration::from_secs(30))
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
