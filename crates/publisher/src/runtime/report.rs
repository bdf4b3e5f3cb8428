//! A cycle's writes, grouped by symbol ([`Writes`]: a refused write is the symbol's, not the
//! cycle's), and a P1.5 or P2.5 cycle's counts and its one log line (`cycle: read 3, published 1,
//! …`): both services count the same things and say the same of a symbol without a position or
//! skipped.

use std::time::Duration;

use harvest_redis::redis::{self, Cmd, RedisError, RedisResult};

use super::{Context, Report};

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

impl Report for CycleReport {
    fn incomplete(&self) -> bool {
        self.skipped > 0
    }
}

impl CycleReport {
    /// A symbol without a position (`why`: where none was found, or its side): counted, its
    /// stale proposal `key` deleted when `had` one, and the note set.
    pub fn no_position<O, T>(
        &mut self,
        ctx: &mut Context<O>,
        writes: &mut Writes<T>,
        symbol: &str,
        key: &str,
        why: &str,
        had: bool,
    ) {
        self.no_position += 1;
        let mut note = format!("no position ({why}): no proposal");
        if had {
            self.removed += 1;
            note.push_str(&format!("; removed the stale {key}"));
            let mut del = redis::cmd("DEL");
            del.arg(key);
            writes.push(del);
        }
        ctx.note(symbol, Some(note));
    }

    /// A symbol skipped for `why` (with the plan's `notes`): counted and noted.
    pub fn skipped<O>(
        &mut self,
        ctx: &mut Context<O>,
        symbol: &str,
        why: impl std::fmt::Display,
        notes: Option<String>,
    ) {
        self.skipped += 1;
        let mut n = format!("skipped: {why}");
        if let Some(notes) = notes {
            n.push_str(&format!("; {notes}"));
        }
        ctx.note(symbol, Some(n));
    }
}

/// A batch's writes, each group owned by a `T` (a symbol and what it wrote): sent in one
/// pipeline, a refused write is reported as its owner's.
#[derive(Debug)]
pub struct Writes<T> {
    cmds: Vec<Cmd>,
    owners: Vec<(std::ops::Range<usize>, T)>,
}

impl<T> Default for Writes<T> {
    fn default() -> Self {
        Writes {
            cmds: Vec::new(),
            owners: Vec::new(),
        }
    }
}

impl<T> Writes<T> {
    /// A write nobody waits for (a `DEL` of a stale record).
    pub fn push(&mut self, cmd: Cmd) {
        self.cmds.push(cmd);
    }

    /// `cmds`, owned by `owner`.
    pub fn owned(&mut self, owner: T, cmds: impl IntoIterator<Item = Cmd>) {
        let first = self.cmds.len();
        self.cmds.extend(cmds);
        self.owners.push((first..self.cmds.len(), owner));
    }

    /// Sends every write in one pipeline (the time waited added to `waited`); returns each
    /// owner with the first of its writes that was refused (`None`: all written).
    ///
    /// # Errors
    /// The connection failed.
    pub fn send<O>(
        self,
        ctx: &mut Context<O>,
        waited: &mut Duration,
    ) -> RedisResult<Vec<(T, Option<RedisError>)>> {
        let mut replies = ctx.pipeline(self.cmds, waited)?;
        Ok(self
            .owners
            .into_iter()
            .map(|(range, owner)| {
                let refused = replies
                    .get_mut(range)
                    .and_then(|r| r.iter_mut().find(|r| r.is_err()))
                    .and_then(|r| std::mem::replace(r, Ok(redis::Value::Nil)).err());
                (owner, refused)
            })
            .collect())
    }
}
