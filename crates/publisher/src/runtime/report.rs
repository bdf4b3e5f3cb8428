//! A P1.5 or P2.5 cycle's counts and its one log line (`cycle: read 3, published 1, …`): both
//! services count the same things.

use std::time::Duration;

/// What a cycle did (its log line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Symbols read.
    pub read: usize,
    /// Proposals written in full.
    pub published: usize,
    /// Proposals computed but unchanged (not written again; P2.5 refreshes `last_update_epoch`).
    pub unchanged: usize,
    /// Symbols without a position (no proposal).
    pub no_position: usize,
    /// Of those, stale proposals removed.
    pub removed: usize,
    /// Symbols skipped for bad data (no market state, an unreadable field).
    pub skipped: usize,
    /// Time taken.
    pub took: Duration,
    /// Of that, time spent waiting for Redis.
    pub redis: Duration,
}

impl std::fmt::Display for CycleReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cycle: read {}, published {}, unchanged {}, skipped {}, no position {} (removed {}), took {:.1} ms (Redis {:.1} ms)",
            self.read,
            self.published,
            self.unchanged,
            self.skipped,
            self.no_position,
            self.removed,
            self.took.as_secs_f64() * 1e3,
            self.redis.as_secs_f64() * 1e3
        )
    }
}
