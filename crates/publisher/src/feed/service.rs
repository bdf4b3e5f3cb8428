//! The feed's loop: writes each tape's history, then every bar when it is due (with the paper
//! positions' writes of that bar) in one pipeline per tick; a lost Redis is retried with the
//! services' backoff; SIGTERM/SIGINT stop it between ticks.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use harvest_redis::redis::{self, Cmd};
use harvest_redis::{Store, Timeouts};

use super::candle::{key_for, member};
use super::paper::{Book, Write, MARK_TTL};
use super::play::{Played, Tape};
use crate::runtime::schedule::backoff;
use crate::runtime::signals::signal_name;
use harvest_records::keys::position_key;

/// Everything the feed runs with.
#[derive(Debug)]
pub struct Settings {
    /// `redis://…` or `rediss://…` (with `cluster`, seed nodes).
    pub redis_url: String,
    /// Whether `redis_url` names a Redis Cluster.
    pub cluster: bool,
    /// The key template (`{symbol}`).
    pub key_template: String,
    /// Members kept per sorted set.
    pub keep: usize,
    /// Seconds of bars played per second (3600: an hour of bars a second).
    pub speed: f64,
    /// One tape per file.
    pub tapes: Vec<Tape>,
    /// The paper positions of each tape's symbol (`None`: no positions for it).
    pub books: Vec<Option<Book>>,
    /// How often a progress line is logged.
    pub progress: Duration,
}

/// Writes one log line.
pub fn log(line: &str) {
    eprintln!("harvest feed: {line}");
}

fn wall_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// What the feed did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedReport {
    /// Bars written (history included).
    pub bars: usize,
    /// Paper positions opened.
    pub opened: usize,
    /// Paper positions closed.
    pub closed: usize,
    /// Ticks that were late by more than a bar's pace (the machine could not keep up).
    pub late: usize,
}

struct Feed {
    s: Settings,
    store: Store,
    report: FeedReport,
}

impl Feed {
    fn zadd(&self, cmds: &mut Vec<Cmd>, tape: usize, bars: &[harvest_market::Bar], wall: f64) {
        let t = &self.s.tapes[tape];
        let key = key_for(&self.s.key_template, &t.symbol);
        for chunk in bars.chunks(500) {
            let mut c = redis::cmd("ZADD");
            c.arg(&key);
            for b in chunk {
                let (m, score) = member(&t.symbol, b, t.seconds(), wall);
                c.arg(score).arg(m);
            }
            cmds.push(c);
        }
        let mut trim = redis::cmd("ZREMRANGEBYRANK");
        trim.arg(&key).arg(0).arg(-(self.s.keep as i64) - 1);
        cmds.push(trim);
    }

    fn paper(&mut self, cmds: &mut Vec<Cmd>, tape: usize, writes: Vec<Write>, close: f64) {
        let symbol = self.s.tapes[tape].symbol.clone();
        let key = position_key(&symbol);
        for w in writes {
            match w {
                Write::Close { plan_id } => {
                    self.report.closed += 1;
                    log(&format!(
                        "{symbol}: PAPER position {plan_id} closed at {close} (DEL {key}; a simulation, not a trade)"
                    ));
                    let mut c = redis::cmd("DEL");
                    c.arg(&key);
                    cmds.push(c);
                }
                Write::Open(fields) => {
                    self.report.opened += 1;
                    let side = fields.iter().find(|f| f.0 == "side").map_or("", |f| &f.1);
                    let plan = fields
                        .iter()
                        .find(|f| f.0 == "plan_id")
                        .map_or("", |f| &f.1);
                    log(&format!(
                        "{symbol}: PAPER position {plan} opened {side} at {close} (HSET {key} as the apply layer writes a position; a simulation, not a trade)"
                    ));
                    let mut c = redis::cmd("HSET");
                    c.arg(&key);
                    for (k, v) in fields {
                        c.arg(k).arg(v);
                    }
                    cmds.push(c);
                }
                Write::Mark(fields) => {
                    let mut c = redis::cmd("HSET");
                    c.arg(&key);
                    for (k, v) in fields {
                        c.arg(k).arg(v);
                    }
                    cmds.push(c);
                    let mut e = redis::cmd("EXPIRE");
                    e.arg(&key).arg(MARK_TTL);
                    cmds.push(e);
                }
            }
        }
    }

    /// Runs `cmds` until it succeeds (a lost Redis is retried with backoff) or a stop signal.
    fn send(&mut self, cmds: Vec<Cmd>, stop: &Receiver<i32>) -> Result<(), i32> {
        let mut failures = 0u32;
        loop {
            match self.store.pipeline(cmds.clone()) {
                Ok(replies) => {
                    if failures > 0 {
                        log(&format!("Redis is back after {failures} failed attempts"));
                    }
                    for r in replies {
                        if let Err(e) = r {
                            log(&format!("Redis refused a write: {e}"));
                        }
                    }
                    return Ok(());
                }
                Err(e) => {
                    failures += 1;
                    self.store.disconnect();
                    let wait = backoff(failures);
                    log(&format!(
                        "Redis error ({}): {e}; attempt {failures} failed, retrying in {:.1} s",
                        self.s.redis_url,
                        wait.as_secs_f64()
                    ));
                    match stop.recv_timeout(wait) {
                        Ok(sig) => return Err(sig),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
                    }
                }
            }
        }
    }

    fn bar(&mut self, cmds: &mut Vec<Cmd>, tape: usize, p: Played, wall: f64) {
        if p.new_loop {
            let shift = self.s.tapes[tape].loops() * self.s.tapes[tape].loop_shift();
            log(&format!(
                "{}: loop {} (times shifted by {shift} s)",
                self.s.tapes[tape].symbol,
                self.s.tapes[tape].loops()
            ));
            if let Some(book) = self.s.books[tape].as_mut() {
                if let Some(w) = book.restart(shift) {
                    self.paper(cmds, tape, vec![w], p.bar.close);
                }
            }
        }
        self.zadd(cmds, tape, &[p.bar], wall);
        self.report.bars += 1;
        let writes = match self.s.books[tape].as_mut() {
            Some(book) => book.on_bar(p.bar.time, p.bar.close, wall),
            None => Vec::new(),
        };
        self.paper(cmds, tape, writes, p.bar.close);
    }
}

/// The line of a stop by signal.
fn stopped(sig: i32, r: &FeedReport) {
    log(&format!(
        "{}: stopped after {} bars, {} paper positions opened, {} closed, {} ticks late",
        signal_name(sig),
        r.bars,
        r.opened,
        r.closed,
        r.late
    ));
}

/// Plays every tape; returns the exit status (0 done or stopped, 2 Redis unreachable at the
/// start).
pub fn run(settings: Settings, stop: Receiver<i32>) -> (u8, FeedReport) {
    let store = match Store::open(&settings.redis_url, settings.cluster, Timeouts::default()) {
        Ok(s) => s,
        Err(e) => {
            log(&format!("bad Redis URL: {e}"));
            return (2, FeedReport::default());
        }
    };
    let mut f = Feed {
        s: settings,
        store,
        report: FeedReport::default(),
    };
    if let Err(e) = f.store.connect() {
        log(&format!("Redis unreachable ({}): {e}", f.s.redis_url));
        return (2, f.report);
    }
    // The history, at once.
    let wall = wall_now();
    let mut cmds = Vec::new();
    for i in 0..f.s.tapes.len() {
        let history = f.s.tapes[i].history().to_vec();
        f.zadd(&mut cmds, i, &history, wall);
        f.report.bars += history.len();
        let start = f.s.tapes[i].start_time();
        if let Some(book) = f.s.books[i].as_mut() {
            // Entries before the first bar played are not played.
            book.skip_before(start);
        }
    }
    if let Err(sig) = f.send(cmds, &stop) {
        stopped(sig, &f.report);
        return (0, f.report);
    }
    let start = Instant::now();
    let mut last_progress = Instant::now();
    loop {
        // Every bar due by now, in time order across the tapes.
        let sim_now = start.elapsed().as_secs_f64() * f.s.speed;
        let mut cmds = Vec::new();
        let wall = wall_now();
        let mut took = 0;
        loop {
            let next = (0..f.s.tapes.len())
                .filter_map(|i| f.s.tapes[i].next_due().map(|d| (d, i)))
                .min();
            match next {
                Some((due, i)) if due as f64 <= sim_now => {
                    let pace = f.s.tapes[i].seconds() as f64;
                    if sim_now - due as f64 > pace.max(1.0) * 1.5 {
                        f.report.late += 1;
                    }
                    let p = f.s.tapes[i].take().expect("a due bar");
                    f.bar(&mut cmds, i, p, wall);
                    took += 1;
                    if took >= 10_000 {
                        break;
                    }
                }
                _ => break,
            }
        }
        if !cmds.is_empty() {
            if let Err(sig) = f.send(cmds, &stop) {
                stopped(sig, &f.report);
                return (0, f.report);
            }
        }
        if last_progress.elapsed() >= f.s.progress {
            last_progress = Instant::now();
            for (i, t) in f.s.tapes.iter().enumerate() {
                let open = f.s.books[i]
                    .as_ref()
                    .and_then(|b| b.open().map(|p| p.plan_id.clone()));
                log(&format!(
                    "{}: {} bars written so far{}",
                    t.symbol,
                    f.report.bars,
                    open.map_or(String::new(), |p| format!(", PAPER position {p} open"))
                ));
            }
        }
        let next = (0..f.s.tapes.len())
            .filter_map(|i| f.s.tapes[i].next_due())
            .min();
        let Some(due) = next else {
            log(&format!(
                "done: {} bars, {} paper positions opened, {} closed, {} ticks late",
                f.report.bars, f.report.opened, f.report.closed, f.report.late
            ));
            return (0, f.report);
        };
        if took >= 10_000 {
            continue;
        }
        let at = start + Duration::from_secs_f64((due as f64 / f.s.speed).max(0.0));
        let wait = at.saturating_duration_since(Instant::now());
        match stop.recv_timeout(wait) {
            Ok(sig) => {
                stopped(sig, &f.report);
                return (0, f.report);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
        }
    }
}
