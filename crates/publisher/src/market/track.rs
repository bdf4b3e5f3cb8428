//! Pure: one symbol's candle window, kept between cycles, and what a cycle reads to bring it up
//! to date.
//!
//! The window is the newest `capacity` members of the first of the symbol's candle keys that
//! exists (as the running P0.5 reads it: `ZREVRANGE key 0 capacity−1`, or for a list
//! `LRANGE key −capacity −1`). A cycle reads only what changed, in one round trip: for a sorted
//! set, the members scored at or above the newest it holds (`ZREVRANGEBYSCORE`), the set's size,
//! and the member at the window's last rank (`ZREVRANGE` of rank `capacity − 1`, and the set's
//! oldest for a set that holds fewer): that must be the oldest member it keeps. The new closes
//! each cost one step of P0. Anything else — the newest member gone, a member
//! inserted or removed inside the window, a higher-priority key appearing, the key's type
//! changing — reads the whole window again, as does every symbol's [`RESYNC_CYCLES`]th cycle.
//! A list is read whole each cycle and the new members found by comparing member hashes.

use std::collections::hash_map::DefaultHasher;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use harvest_market::{MarketState, P0Params, P0Window};

use super::candles::{close_of, NoClose};

/// Every symbol's window is read whole at least once in this many cycles (staggered over the
/// symbols), whatever the incremental checks say.
pub const RESYNC_CYCLES: u64 = 100;

/// Round trips one symbol may take in a cycle before it is given up as changing too fast.
const MAX_TRIPS: u8 = 6;

/// One read of a cycle (a Redis command).
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// `TYPE key`.
    Type(String),
    /// `EXISTS k1 k2 …`: how many of the keys exist.
    Exists(Vec<String>),
    /// `ZREVRANGEBYSCORE key +inf min WITHSCORES LIMIT 0 limit`.
    NewerThan {
        /// The key.
        key: String,
        /// The lowest score (inclusive).
        min: f64,
        /// At most this many members.
        limit: usize,
    },
    /// `ZCARD key`.
    Size(String),
    /// `ZREVRANGE key from to WITHSCORES` (ranks from the newest, inclusive).
    Ranks {
        /// The key.
        key: String,
        /// First rank.
        from: usize,
        /// Last rank.
        to: usize,
    },
    /// `ZRANGE key 0 0 WITHSCORES`: the oldest member.
    Oldest(String),
    /// `LRANGE key −count −1`.
    Tail {
        /// The key.
        key: String,
        /// Members from the end.
        count: usize,
    },
}

/// The reply to a [`Read`].
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `TYPE`: `none`, `zset`, `list`, `string`, …
    Type(String),
    /// `EXISTS`, `ZCARD`.
    Count(u64),
    /// `ZREVRANGEBYSCORE` / `ZREVRANGE` with scores, newest first.
    Scored(Vec<(Vec<u8>, f64)>),
    /// `LRANGE`, oldest first.
    Listed(Vec<Vec<u8>>),
    /// The server refused the command (e.g. `WRONGTYPE`), with its message.
    Refused(String),
}

/// The kind of key the candles are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A sorted set (the running P0.5's only kind).
    Zset,
    /// A list (read by Harvest Lab, not by the running P0.5).
    List,
}

/// What a cycle made of a symbol's candles.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A state to publish, from `closes` readable closes in the window.
    State {
        /// The market state of the newest close.
        state: MarketState,
        /// Readable closes in the window (published as `buffer_size`).
        closes: usize,
    },
    /// Fewer readable closes than P0 needs (257): nothing is published.
    Short {
        /// The key read.
        key: String,
        /// Readable closes in the window.
        closes: usize,
        /// Members in the window.
        members: usize,
    },
    /// None of the candle keys exists (or they are empty).
    NoCandles,
    /// The first existing key is neither a sorted set nor a list.
    WrongType {
        /// The key.
        key: String,
        /// Its type.
        kind: String,
    },
    /// Redis refused a read of the key (the message).
    Refused {
        /// The key.
        key: String,
        /// What Redis said.
        message: String,
    },
    /// The window kept changing while it was read (given up for this cycle).
    Unstable {
        /// The key.
        key: String,
    },
}

/// How a cycle's window changed (for the cycle's log line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Change {
    /// New members appended.
    pub new: usize,
    /// Whether the whole window was read.
    pub reloaded: bool,
}

/// One member of the window.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Its score (sorted sets; 0 for lists).
    score: f64,
    /// A hash of its text.
    hash: u64,
    /// Whether it has a close (pushed to P0).
    readable: bool,
}

fn hash_of(member: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    member.hash(&mut h);
    h.finish()
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    /// `TYPE` of every key.
    Probe,
    /// Sorted set, incremental: (`EXISTS` of the higher keys), `ZREVRANGEBYSCORE`, `ZCARD`, the
    /// member at rank `capacity − 1`, the oldest member.
    Newer {
        index: usize,
    },
    /// The whole window of key `index` (after `EXISTS` of the higher keys when `higher`).
    Whole {
        index: usize,
        kind: Kind,
        higher: bool,
    },
    /// List, incremental: (`EXISTS` of the higher keys), `LRANGE`.
    ListTail {
        index: usize,
    },
}

/// A step of a symbol's cycle: more reads, or the outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send these reads; pass their replies (in order) to [`Candles::advance`].
    Read(Vec<Read>),
    /// The cycle is over for this symbol.
    Done(Outcome),
}

/// One symbol's candle window and P0 state, kept between cycles.
#[derive(Debug)]
pub struct Candles {
    keys: Vec<String>,
    capacity: usize,
    window: P0Window,
    need: usize,
    /// The key read (index into `keys`) and its kind.
    source: Option<(usize, Kind)>,
    /// The window's members, oldest first.
    slots: VecDeque<Slot>,
    /// The newest member's text (sorted sets: found again by score and text).
    newest: Option<(Vec<u8>, f64)>,
    readable: usize,
    state: Option<MarketState>,
    phase: Phase,
    trips: u8,
    change: Change,
    /// Why the newest member without a close has none, and that member (clipped).
    skipped: Option<(NoClose, String)>,
}

impl Candles {
    /// An empty window over `keys` (tried in order) of `capacity` members.
    ///
    /// # Errors
    /// P0's parameters or a capacity below 257 (`capacity`).
    pub fn new(
        keys: Vec<String>,
        capacity: usize,
        params: P0Params,
    ) -> Result<Candles, harvest_market::MarketError> {
        Ok(Candles {
            keys,
            capacity,
            window: P0Window::new(params, capacity)?,
            need: params.min_closes(),
            source: None,
            slots: VecDeque::new(),
            newest: None,
            readable: 0,
            state: None,
            phase: Phase::Idle,
            trips: 0,
            change: Change::default(),
            skipped: None,
        })
    }

    /// The key the window is read from, once found.
    pub fn key(&self) -> Option<&str> {
        self.source.map(|(i, _)| self.keys[i].as_str())
    }

    /// How the last cycle changed the window.
    pub fn change(&self) -> Change {
        self.change
    }

    /// Members of the window without a usable close: how many, why the newest of them has none,
    /// and that member (clipped to 80 characters), for a log line.
    pub fn skipped(&self) -> Option<(usize, NoClose, &str)> {
        let n = self.slots.len() - self.readable;
        match (&self.skipped, n) {
            (Some((why, m)), 1..) => Some((n, *why, m.as_str())),
            _ => None,
        }
    }

    /// Starts a cycle: the first reads. `resync` reads the whole window whatever the checks say.
    pub fn begin(&mut self, resync: bool) -> Step {
        self.trips = 0;
        self.change = Change::default();
        let step = match (self.source, resync) {
            (Some((index, Kind::Zset)), false) if self.newest.is_some() => self.newer(index),
            (Some((index, Kind::List)), false) => {
                self.phase = Phase::ListTail { index };
                let mut reads = self.higher(index);
                reads.push(Read::Tail {
                    key: self.keys[index].clone(),
                    count: self.capacity,
                });
                Step::Read(reads)
            }
            // The periodic resync of a known key: read it whole at once (the higher keys checked
            // in the same round trip).
            (Some((index, kind)), true) => {
                let mut reads = self.higher(index);
                let Step::Read(whole) = self.whole(index, kind) else {
                    unreachable!("whole() reads")
                };
                reads.extend(whole);
                self.phase = Phase::Whole {
                    index,
                    kind,
                    higher: index > 0,
                };
                Step::Read(reads)
            }
            _ => self.probe(),
        };
        self.counted(step)
    }

    /// The replies to the last step's reads, in order.
    pub fn advance(&mut self, replies: Vec<Reply>) -> Step {
        let phase = std::mem::replace(&mut self.phase, Phase::Idle);
        let step = match phase {
            Phase::Idle => self.probe(),
            Phase::Probe => self.probed(replies),
            Phase::Newer { index } => self.newer_replied(index, replies),
            Phase::Whole {
                index,
                kind,
                higher,
            } => self.whole_replied(index, kind, higher, replies),
            Phase::ListTail { index } => self.tail_replied(index, replies),
        };
        self.counted(step)
    }

    fn counted(&mut self, step: Step) -> Step {
        if let Step::Read(_) = step {
            self.trips += 1;
            if self.trips > MAX_TRIPS {
                self.phase = Phase::Idle;
                let key = self.key().unwrap_or(&self.keys[0]).to_string();
                self.forget();
                return Step::Done(Outcome::Unstable { key });
            }
        }
        step
    }

    fn probe(&mut self) -> Step {
        self.phase = Phase::Probe;
        Step::Read(self.keys.iter().map(|k| Read::Type(k.clone())).collect())
    }

    /// `EXISTS` of the keys tried before key `index` (none for the first).
    fn higher(&self, index: usize) -> Vec<Read> {
        if index == 0 {
            Vec::new()
        } else {
            vec![Read::Exists(self.keys[..index].to_vec())]
        }
    }

    fn newer(&mut self, index: usize) -> Step {
        let (_, min) = self.newest.clone().expect("newest member known");
        self.phase = Phase::Newer { index };
        let key = self.keys[index].clone();
        let mut reads = self.higher(index);
        reads.push(Read::NewerThan {
            key: key.clone(),
            min,
            limit: self.capacity + 1,
        });
        reads.push(Read::Size(key.clone()));
        reads.push(Read::Ranks {
            key: key.clone(),
            from: self.capacity - 1,
            to: self.capacity - 1,
        });
        reads.push(Read::Oldest(key));
        Step::Read(reads)
    }

    fn whole(&mut self, index: usize, kind: Kind) -> Step {
        self.phase = Phase::Whole {
            index,
            kind,
            higher: false,
        };
        let key = self.keys[index].clone();
        Step::Read(vec![match kind {
            Kind::Zset => Read::Ranks {
                key,
                from: 0,
                to: self.capacity - 1,
            },
            Kind::List => Read::Tail {
                key,
                count: self.capacity,
            },
        }])
    }

    /// Forgets the window (no source).
    fn forget(&mut self) {
        self.source = None;
        self.slots.clear();
        self.newest = None;
        self.readable = 0;
        self.state = None;
        self.window.clear();
        self.skipped = None;
    }

    fn probed(&mut self, replies: Vec<Reply>) -> Step {
        for (index, reply) in replies.into_iter().enumerate() {
            let key = self.keys[index].clone();
            match reply {
                Reply::Type(t) if t == "none" => continue,
                Reply::Type(t) if t == "zset" => return self.whole(index, Kind::Zset),
                Reply::Type(t) if t == "list" => return self.whole(index, Kind::List),
                Reply::Type(kind) => {
                    self.forget();
                    return Step::Done(Outcome::WrongType { key, kind });
                }
                Reply::Refused(message) => {
                    self.forget();
                    return Step::Done(Outcome::Refused { key, message });
                }
                other => {
                    self.forget();
                    return Step::Done(Outcome::Refused {
                        key,
                        message: format!("TYPE replied {other:?}"),
                    });
                }
            }
        }
        self.forget();
        Step::Done(Outcome::NoCandles)
    }

    /// Whether a higher-priority key appeared (the first reply of an incremental read).
    fn higher_appeared(&self, index: usize, replies: &mut std::vec::IntoIter<Reply>) -> bool {
        index > 0 && !matches!(replies.next(), Some(Reply::Count(0)))
    }

    fn newer_replied(&mut self, index: usize, replies: Vec<Reply>) -> Step {
        let mut replies = replies.into_iter();
        if self.higher_appeared(index, &mut replies) {
            return self.probe();
        }
        let (
            Some(Reply::Scored(got)),
            Some(Reply::Count(size)),
            Some(Reply::Scored(at_last_rank)),
            Some(Reply::Scored(oldest)),
        ) = (
            replies.next(),
            replies.next(),
            replies.next(),
            replies.next(),
        )
        else {
            return self.probe();
        };
        let (newest, score) = self.newest.clone().expect("newest member known");
        // Newest first: everything above our newest member is new.
        let Some(at) = got.iter().position(|(m, s)| *s == score && *m == newest) else {
            return self.whole(index, Kind::Zset);
        };
        let size = size as usize;
        let window = size.min(self.capacity);
        // Members of ours that stay, the newest of them at rank `at`, the oldest at the window's
        // last rank `window − 1`.
        let keep = window.saturating_sub(at);
        if keep == 0 || keep > self.slots.len() {
            return self.whole(index, Kind::Zset);
        }
        let last = if size >= self.capacity {
            at_last_rank
        } else {
            oldest
        };
        let oldest_kept = self.slots[self.slots.len() - keep];
        let same = last.len() == 1
            && last[0].1 == oldest_kept.score
            && hash_of(&last[0].0) == oldest_kept.hash;
        if !same {
            return self.whole(index, Kind::Zset);
        }
        let mut new = got;
        new.truncate(at);
        new.reverse();
        self.commit_zset(index, new, keep)
    }

    /// Keeps the newest `keep` members and appends `new` (oldest first).
    fn commit_zset(&mut self, index: usize, new: Vec<(Vec<u8>, f64)>, keep: usize) -> Step {
        self.drop_oldest(self.slots.len() - keep);
        if let Some(last) = new.last() {
            self.newest = Some(last.clone());
        }
        self.change.new = new.len();
        for (member, score) in new {
            self.append(&member, score);
        }
        self.source = Some((index, Kind::Zset));
        self.finish(index)
    }

    fn drop_oldest(&mut self, n: usize) {
        for _ in 0..n {
            if let Some(s) = self.slots.pop_front() {
                if s.readable {
                    self.readable -= 1;
                }
            }
        }
    }

    fn append(&mut self, member: &[u8], score: f64) {
        let readable = match close_of(member) {
            Ok(close) => {
                self.window.push(close).expect("close_of gives closes > 0");
                self.state = None;
                true
            }
            Err(why) => {
                let text = String::from_utf8_lossy(member);
                self.skipped = Some((why, text.chars().take(80).collect()));
                false
            }
        };
        if readable {
            self.readable += 1;
        }
        self.slots.push_back(Slot {
            score,
            hash: hash_of(member),
            readable,
        });
    }

    fn whole_replied(
        &mut self,
        index: usize,
        kind: Kind,
        higher: bool,
        replies: Vec<Reply>,
    ) -> Step {
        let mut replies = replies.into_iter();
        if higher && self.higher_appeared(index, &mut replies) {
            return self.probe();
        }
        let members: Vec<(Vec<u8>, f64)> = match replies.next() {
            Some(Reply::Scored(mut got)) if kind == Kind::Zset => {
                got.reverse();
                got
            }
            Some(Reply::Listed(got)) if kind == Kind::List => {
                got.into_iter().map(|m| (m, 0.0)).collect()
            }
            // Emptied or changed type since TYPE: look again.
            _ => return self.probe(),
        };
        if members.is_empty() {
            return self.probe();
        }
        self.rebuild(index, kind, members)
    }

    fn rebuild(&mut self, index: usize, kind: Kind, members: Vec<(Vec<u8>, f64)>) -> Step {
        self.forget();
        self.change = Change {
            new: members.len(),
            reloaded: true,
        };
        self.newest = members.last().cloned();
        for (member, score) in &members {
            self.append(member, *score);
        }
        self.source = Some((index, kind));
        self.finish(index)
    }

    fn tail_replied(&mut self, index: usize, replies: Vec<Reply>) -> Step {
        let mut replies = replies.into_iter();
        if self.higher_appeared(index, &mut replies) {
            return self.probe();
        }
        let got = match replies.next() {
            Some(Reply::Listed(got)) if !got.is_empty() => got,
            _ => return self.probe(),
        };
        let old: Vec<u64> = self.slots.iter().map(|s| s.hash).collect();
        let new: Vec<u64> = got.iter().map(|m| hash_of(m)).collect();
        match list_shift(&old, &new) {
            Some(appended) => {
                let keep = got.len() - appended;
                self.drop_oldest(self.slots.len() - keep);
                self.change.new = appended;
                for member in &got[keep..] {
                    self.append(member, 0.0);
                }
                self.source = Some((index, Kind::List));
                self.finish(index)
            }
            None => {
                let members = got.into_iter().map(|m| (m, 0.0)).collect();
                self.rebuild(index, Kind::List, members)
            }
        }
    }

    fn finish(&mut self, index: usize) -> Step {
        self.phase = Phase::Idle;
        if self.readable < self.need {
            return Step::Done(Outcome::Short {
                key: self.keys[index].clone(),
                closes: self.readable,
                members: self.slots.len(),
            });
        }
        if self.state.is_none() {
            self.state = self.window.state();
        }
        match self.state {
            Some(state) => Step::Done(Outcome::State {
                state,
                closes: self.readable,
            }),
            None => Step::Done(Outcome::Short {
                key: self.keys[index].clone(),
                closes: self.readable,
                members: self.slots.len(),
            }),
        }
    }
}

/// How many members were appended to a list window: the smallest `j` such that the new window
/// without its last `j` members is the end of the old one (at least one member in common).
/// `None`: no such overlap (the list was rewritten).
///
/// ```
/// use harvest_publisher::market::track::list_shift;
/// assert_eq!(list_shift(&[1, 2, 3], &[2, 3, 4]), Some(1)); // capped: one in, one out
/// assert_eq!(list_shift(&[1, 2, 3], &[1, 2, 3, 4, 5]), Some(2)); // growing
/// assert_eq!(list_shift(&[1, 2, 3], &[1, 2, 3]), Some(0));
/// assert_eq!(list_shift(&[1, 2, 3], &[7, 8, 9]), None);
/// ```
pub fn list_shift(old: &[u64], new: &[u64]) -> Option<usize> {
    (0..new.len()).find(|&j| {
        let kept = new.len() - j;
        kept <= old.len() && new[..kept] == old[old.len() - kept..]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_market::market_state;

    /// A tiny Redis for the protocol: one sorted set or list per key.
    #[derive(Default, Clone)]
    struct Fake {
        zsets: std::collections::HashMap<String, Vec<(Vec<u8>, f64)>>,
        lists: std::collections::HashMap<String, Vec<Vec<u8>>>,
        strings: std::collections::HashSet<String>,
        reads: usize,
        members_sent: usize,
    }

    impl Fake {
        /// Sorted by (score, member) as Redis orders a sorted set.
        fn zset(&mut self, key: &str) -> &mut Vec<(Vec<u8>, f64)> {
            self.zsets.entry(key.into()).or_default()
        }

        fn zadd(&mut self, key: &str, member: &str, score: f64) {
            let z = self.zset(key);
            z.retain(|(m, _)| m != member.as_bytes());
            z.push((member.as_bytes().to_vec(), score));
            z.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        }

        fn reply(&mut self, r: &Read) -> Reply {
            self.reads += 1;
            let desc = |z: &Vec<(Vec<u8>, f64)>| -> Vec<(Vec<u8>, f64)> {
                z.iter().rev().cloned().collect()
            };
            let reply = match r {
                Read::Type(k) => Reply::Type(
                    if self.zsets.get(k).is_some_and(|z| !z.is_empty()) {
                        "zset"
                    } else if self.lists.get(k).is_some_and(|l| !l.is_empty()) {
                        "list"
                    } else if self.strings.contains(k) {
                        "string"
                    } else {
                        "none"
                    }
                    .into(),
                ),
                Read::Exists(keys) => Reply::Count(
                    keys.iter()
                        .filter(|k| {
                            self.zsets.get(*k).is_some_and(|z| !z.is_empty())
                                || self.lists.get(*k).is_some_and(|l| !l.is_empty())
                                || self.strings.contains(*k)
                        })
                        .count() as u64,
                ),
                Read::NewerThan { key, min, limit } => match self.zsets.get(key) {
                    Some(z) => Reply::Scored(
                        desc(z)
                            .into_iter()
                            .filter(|(_, s)| s >= min)
                            .take(*limit)
                            .collect(),
                    ),
                    None if self.lists.contains_key(key) => Reply::Refused("WRONGTYPE".into()),
                    None => Reply::Scored(vec![]),
                },
                Read::Size(key) => Reply::Count(self.zsets.get(key).map_or(0, Vec::len) as u64),
                Read::Oldest(key) => Reply::Scored(
                    self.zsets
                        .get(key)
                        .map(|z| z.iter().take(1).cloned().collect())
                        .unwrap_or_default(),
                ),
                Read::Ranks { key, from, to } => match self.zsets.get(key) {
                    Some(z) => Reply::Scored(
                        desc(z)
                            .into_iter()
                            .skip(*from)
                            .take(to + 1 - from)
                            .collect(),
                    ),
                    None => Reply::Scored(vec![]),
                },
                Read::Tail { key, count } => match self.lists.get(key) {
                    Some(l) => Reply::Listed(l[l.len().saturating_sub(*count)..].to_vec()),
                    None if self.zsets.contains_key(key) => Reply::Refused("WRONGTYPE".into()),
                    None => Reply::Listed(vec![]),
                },
            };
            if let Reply::Scored(m) = &reply {
                self.members_sent += m.len();
            }
            if let Reply::Listed(m) = &reply {
                self.members_sent += m.len();
            }
            reply
        }

        /// One cycle of `c`: its outcome.
        fn cycle(&mut self, c: &mut Candles, resync: bool) -> Outcome {
            let mut step = c.begin(resync);
            loop {
                match step {
                    Step::Done(o) => return o,
                    Step::Read(reads) => {
                        let replies = reads.iter().map(|r| self.reply(r)).collect();
                        step = c.advance(replies);
                    }
                }
            }
        }
    }

    fn closes(n: usize) -> Vec<f64> {
        let mut x = 100.0f64;
        (0..n)
            .map(|i| {
                x *= 1.0 + ((i * 7919 % 29) as f64 - 14.0) * 7e-4;
                x
            })
            .collect()
    }

    fn candle(i: usize, close: f64) -> (String, f64) {
        let t = 1_700_000_000_000u64 + 60_000 * i as u64;
        (
            format!(r#"{{"symbol": "X", "open_time": {t}, "close": {close}, "is_closed": true}}"#),
            t as f64,
        )
    }

    fn keys() -> Vec<String> {
        ["candles:X:1m", "quantum:candles:X", "klines:X:1m"]
            .map(String::from)
            .to_vec()
    }

    fn want(c: &[f64]) -> MarketState {
        market_state(c, &P0Params::default()).unwrap()
    }

    fn state_of(o: &Outcome) -> (MarketState, usize) {
        match o {
            Outcome::State { state, closes } => (*state, *closes),
            other => panic!("no state: {other:?}"),
        }
    }

    #[test]
    fn capped_sorted_set_one_new_candle_a_cycle() {
        let cl = closes(600);
        let mut r = Fake::default();
        for (i, &c) in cl[..300].iter().enumerate() {
            let (m, s) = candle(i, c);
            r.zadd("candles:X:1m", &m, s);
        }
        let mut c = Candles::new(keys(), 300, P0Params::default()).unwrap();
        let (s, n) = state_of(&r.cycle(&mut c, false));
        assert_eq!((s, n), (want(&cl[..300]), 300));
        assert!(c.change().reloaded);
        for i in 300..600 {
            // The cache appends one candle and trims its oldest (as layer1's cache does).
            let (m, s) = candle(i, cl[i]);
            r.zadd("candles:X:1m", &m, s);
            r.zsets.get_mut("candles:X:1m").unwrap().remove(0);
            let before = r.members_sent;
            let (s, n) = state_of(&r.cycle(&mut c, (i % 97) == 0));
            assert_eq!((s, n), (want(&cl[..=i]), 300), "bar {i}");
            if i % 97 != 0 {
                assert_eq!(
                    c.change(),
                    Change {
                        new: 1,
                        reloaded: false
                    },
                    "bar {i}"
                );
                // Our newest and the new one, the member at rank 299 and the oldest: four members
                // in one round trip.
                assert_eq!(r.members_sent - before, 4, "bar {i}");
            }
        }
    }

    #[test]
    fn growing_cache_and_several_new_candles() {
        let cl = closes(900);
        let mut r = Fake::default();
        let mut c = Candles::new(keys(), 300, P0Params::default()).unwrap();
        let mut n = 0;
        for chunk in [100, 100, 57, 1, 5, 40, 250, 1, 346] {
            for (i, &v) in cl.iter().enumerate().skip(n).take(chunk) {
                let (m, s) = candle(i, v);
                r.zadd("candles:X:1m", &m, s);
            }
            n += chunk;
            let o = r.cycle(&mut c, false);
            if n < 257 {
                assert_eq!(
                    o,
                    Outcome::Short {
                        key: "candles:X:1m".into(),
                        closes: n,
                        members: n
                    }
                );
            } else {
                let (s, k) = state_of(&o);
                assert_eq!((s, k), (want(&cl[..n]), n.min(300)), "after {n}");
            }
        }
    }

    #[test]
    fn changes_inside_the_window_read_it_again() {
        let cl = closes(400);
        let mut r = Fake::default();
        for (i, &c) in cl[..320].iter().enumerate() {
            let (m, s) = candle(i, c);
            r.zadd("candles:X:1m", &m, s);
        }
        let mut c = Candles::new(keys(), 300, P0Params::default()).unwrap();
        r.cycle(&mut c, false);
        // A backfilled candle inside the window (between two minutes).
        let (m, _) = candle(10_000, 123.0);
        r.zadd("candles:X:1m", &m, 1_700_000_000_000.0 + 60_000.0 * 200.5);
        let (m, s) = candle(320, cl[320]);
        r.zadd("candles:X:1m", &m, s);
        let o = r.cycle(&mut c, false);
        assert!(c.change().reloaded);
        let mut series = cl[..=200].to_vec();
        series.push(123.0);
        series.extend_from_slice(&cl[201..=320]);
        assert_eq!(state_of(&o).0, want(&series));
        // The newest candle rewritten (same time, new close): read again.
        let z = r.zset("candles:X:1m");
        z.pop();
        let (m, s) = candle(320, cl[320] * 1.01);
        r.zadd("candles:X:1m", &m, s);
        let o = r.cycle(&mut c, false);
        assert!(c.change().reloaded);
        *series.last_mut().unwrap() = cl[320] * 1.01;
        assert_eq!(state_of(&o).0, want(&series));
    }

    #[test]
    fn keys_in_order_types_and_lists() {
        let cl = closes(400);
        let mut r = Fake::default();
        let mut c = Candles::new(keys(), 300, P0Params::default()).unwrap();
        assert_eq!(r.cycle(&mut c, false), Outcome::NoCandles);
        // The third key as a list (bare numbers), RPUSH order.
        r.lists.insert(
            "klines:X:1m".into(),
            cl[..300]
                .iter()
                .map(|v| v.to_string().into_bytes())
                .collect(),
        );
        assert_eq!(state_of(&r.cycle(&mut c, false)).0, want(&cl[..300]));
        assert_eq!(c.key(), Some("klines:X:1m"));
        // One more, trimmed to 300 (RPUSH + LTRIM).
        let l = r.lists.get_mut("klines:X:1m").unwrap();
        l.push(cl[300].to_string().into_bytes());
        l.remove(0);
        assert_eq!(state_of(&r.cycle(&mut c, false)).0, want(&cl[..=300]));
        assert_eq!(
            c.change(),
            Change {
                new: 1,
                reloaded: false
            }
        );
        // A periodic resync reads the list whole, in one round trip.
        let reads = r.reads;
        assert_eq!(state_of(&r.cycle(&mut c, true)).0, want(&cl[1..=300]));
        assert!(c.change().reloaded);
        assert_eq!(r.reads - reads, 2, "EXISTS of the higher keys and LRANGE");
        // The second key appears as a string: it comes first (also at a resync), and it is not
        // candles.
        r.strings.insert("quantum:candles:X".into());
        assert!(matches!(r.cycle(&mut c, true), Outcome::WrongType { .. }));
        assert_eq!(
            r.cycle(&mut c, false),
            Outcome::WrongType {
                key: "quantum:candles:X".into(),
                kind: "string".into()
            }
        );
        r.strings.clear();
        // The first key as a sorted set takes over.
        for (i, &v) in cl[100..400].iter().enumerate() {
            let (m, s) = candle(i, v);
            r.zadd("candles:X:1m", &m, s);
        }
        assert_eq!(state_of(&r.cycle(&mut c, false)).0, want(&cl[100..400]));
        assert_eq!(c.key(), Some("candles:X:1m"));
    }

    #[test]
    fn unreadable_members_count_and_short_windows() {
        let cl = closes(300);
        let mut r = Fake::default();
        for (i, &v) in cl.iter().enumerate() {
            let (m, s) = if i % 10 == 3 {
                (format!(r#"{{"open_time": {i}}}"#), i as f64)
            } else {
                let (m, _) = candle(i, v);
                (m, i as f64)
            };
            r.zadd("candles:X:1m", &m, s);
        }
        let mut c = Candles::new(keys(), 300, P0Params::default()).unwrap();
        // 270 readable closes: enough.
        let (s, n) = state_of(&r.cycle(&mut c, false));
        let readable: Vec<f64> = cl
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 10 != 3)
            .map(|(_, v)| *v)
            .collect();
        assert_eq!((s, n), (want(&readable), 270));
        let (count, why, example) = c.skipped().unwrap();
        assert_eq!((count, why), (30, NoClose::Missing));
        assert_eq!(example, r#"{"open_time": 293}"#); // the newest such member
                                                      // A window of the newest 257 members (43 to 299), 26 of them unreadable: short.
        let mut c = Candles::new(keys(), 257, P0Params::default()).unwrap();
        assert_eq!(
            r.cycle(&mut c, false),
            Outcome::Short {
                key: "candles:X:1m".into(),
                closes: 231,
                members: 257
            }
        );
    }
}
