//! The dashboard's Live view as plain data: the published proposals `harvest serve` streams
//! (`/api/live`: a `snapshot` event, then `proposal`, `removed`, `policy` and `status` events),
//! each symbol's latest record verified as it arrives with the policy in force and its position
//! record ([`review`]), its K history for the sparkline and what changed since the previous
//! record. A proposal that disappears from Redis is marked closed for [`CLOSED_HOLD_MS`], then
//! gone; a snapshot replaces the board. Pure and natively tested; `ui::live` only renders it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::reviewer::published::{
    number, push_capped, review, Context, Fields, PositionContext, Record,
};
use crate::reviewer::verify::ReviewRow;
use harvest_kernel::{Theta, Tolerance};
use harvest_records::policy::{InForce, PolicyLine, ThetaSource};

/// K values kept per symbol for its sparkline.
pub const HISTORY_CAP: usize = 120;

/// How long a closed row (its proposal gone from Redis) stays on the board, marked, in ms.
pub const CLOSED_HOLD_MS: f64 = 15_000.0;

/// The output fields whose change is highlighted, in table order.
pub const WATCHED: [&str; 4] = ["harvest_action", "new_sl_proposed", "R_net", "kill_score"];

/// The theta records without `proposal_json` are reviewed with, as the server sends it.
#[derive(Debug, Clone, PartialEq)]
pub enum ThetaEvent {
    /// The policy record as the server read it (the policy in force, or the reason there is
    /// none, is judged at its `read_at`).
    Policy(PolicyLine),
    /// `harvest serve --theta FILE`: a theta overriding any policy.
    Override {
        /// The theta.
        theta: Theta,
        /// Where it came from.
        origin: String,
    },
}

/// One event of the stream, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// Everything at once: every symbol's latest record, recent history (oldest first), the
    /// theta in force, status. It replaces the board.
    Snapshot {
        /// Latest record per symbol.
        records: Vec<Record>,
        /// Recent records, oldest first (the K histories).
        history: Vec<Record>,
        /// The theta in force, when the server sent one.
        theta: Option<ThetaEvent>,
        /// `connected`, or why not.
        status: String,
    },
    /// A new record.
    Proposal(Record),
    /// A symbol's proposal is gone from Redis (its position closed).
    Removed(String),
    /// The theta in force changed (a new policy, or one that expired).
    Theta(ThetaEvent),
    /// The server's connection to Redis changed.
    Status(String),
}

#[derive(Deserialize)]
struct ThetaIn {
    #[serde(default)]
    policy_record: Option<PolicyLine>,
    #[serde(default)]
    theta: Option<Theta>,
    #[serde(default)]
    origin: String,
}

impl ThetaIn {
    fn event(self) -> Option<ThetaEvent> {
        match (self.policy_record, self.theta) {
            (_, Some(theta)) => Some(ThetaEvent::Override {
                theta,
                origin: self.origin,
            }),
            (Some(p), None) => Some(ThetaEvent::Policy(p)),
            (None, None) => None,
        }
    }
}

impl ThetaEvent {
    /// The event's JSON (`{"policy_record": …}` or `{"theta": …, "origin": …}`).
    ///
    /// ```
    /// use harvest_features::live::{parse_event, LiveEvent, ThetaEvent};
    /// use harvest_kernel::Theta;
    /// let e = ThetaEvent::Override { theta: Theta::default(), origin: "--theta t.json".into() };
    /// assert_eq!(parse_event("policy", &e.to_json()).unwrap(), LiveEvent::Theta(e));
    /// ```
    pub fn to_json(&self) -> String {
        match self {
            ThetaEvent::Policy(p) => p.to_json(),
            ThetaEvent::Override { theta, origin } => {
                serde_json::json!({ "theta": theta, "origin": origin }).to_string()
            }
        }
    }

    fn in_force(&self) -> (InForce, Option<f64>) {
        match self {
            ThetaEvent::Policy(p) => (p.in_force(), Some(p.read_at)),
            ThetaEvent::Override { theta, origin } => (InForce::user(*theta, origin.clone()), None),
        }
    }
}

#[derive(Deserialize)]
struct SnapshotIn {
    #[serde(default)]
    records: Vec<Record>,
    #[serde(default)]
    history: Vec<Record>,
    #[serde(default)]
    theta: Option<ThetaIn>,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
struct StatusIn {
    status: String,
}

#[derive(Deserialize)]
struct RemovedIn {
    symbol: String,
}

/// Why a stream event could not be used; the message names the event.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The data of a known event is not the JSON it should be.
    #[error("{name} event: {}", harvest_kernel::echo::clip_message(&.source.to_string()))]
    Data {
        /// `snapshot`, `proposal`, `removed`, `policy` or `status`.
        name: &'static str,
        /// What JSON parsing said.
        source: serde_json::Error,
    },
    /// An event name the stream does not send.
    #[error("unknown event {:?}: expected snapshot, proposal, removed, policy or status", harvest_kernel::echo::Echo(.0))]
    Unknown(String),
}

/// The stream's event names.
pub const EVENTS: [&str; 5] = ["snapshot", "proposal", "removed", "policy", "status"];

/// Parses an event by its SSE name (one of [`EVENTS`]) and data.
///
/// # Errors
/// [`EventError::Data`] naming the event and what is wrong with its data,
/// [`EventError::Unknown`] for another name.
///
/// ```
/// use harvest_features::live::{parse_event, LiveEvent};
/// let e = parse_event("status", r#"{"status": "connected"}"#).unwrap();
/// assert_eq!(e, LiveEvent::Status("connected".into()));
/// assert_eq!(parse_event("removed", r#"{"symbol": "BTCUSDT"}"#).unwrap(), LiveEvent::Removed("BTCUSDT".into()));
/// assert!(parse_event("proposal", "[1]").is_err());
/// assert!(parse_event("other", "{}").is_err());
/// ```
pub fn parse_event(name: &str, data: &str) -> Result<LiveEvent, EventError> {
    fn json<'a, T: Deserialize<'a>>(name: &'static str, data: &'a str) -> Result<T, EventError> {
        serde_json::from_str(data).map_err(|source| EventError::Data { name, source })
    }
    match name {
        "snapshot" => {
            let s: SnapshotIn = json("snapshot", data)?;
            Ok(LiveEvent::Snapshot {
                records: s.records,
                history: s.history,
                theta: s.theta.and_then(ThetaIn::event),
                status: s.status,
            })
        }
        "proposal" => json("proposal", data).map(LiveEvent::Proposal),
        "removed" => json::<RemovedIn>("removed", data).map(|r| LiveEvent::Removed(r.symbol)),
        "policy" => {
            let t: ThetaIn = json("policy", data)?;
            match t.event() {
                Some(e) => Ok(LiveEvent::Theta(e)),
                None => Err(EventError::Data {
                    name: "policy",
                    source: serde::de::Error::custom("neither policy_record nor theta"),
                }),
            }
        }
        "status" => json::<StatusIn>("status", data).map(|s| LiveEvent::Status(s.status)),
        other => Err(EventError::Unknown(other.to_string())),
    }
}

/// One symbol's row.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRow {
    /// Symbol.
    pub symbol: String,
    /// The latest record as published.
    pub fields: Fields,
    /// The position record the server read with it, if any.
    pub position: Option<PositionContext>,
    /// Its verification (verdict, recomputed values, diffs, unchecked fields, second opinion).
    pub review: ReviewRow,
    /// K of its records, oldest first (at most [`HISTORY_CAP`]).
    pub k_history: Vec<f64>,
    /// Watched fields that differ from the previous record (empty for the first).
    pub changed: Vec<&'static str>,
    /// Records received for this symbol (the row's key changes with it).
    pub updates: u32,
    /// When its proposal disappeared from Redis (ms, the page's clock): the row is closed.
    pub closed_at: Option<f64>,
}

impl LiveRow {
    /// A published field, or `""`.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// A published field for the table: a number to 6 significant digits (the published text
    /// is the cell's title), `None` as is, anything else unchanged.
    ///
    /// ```
    /// use harvest_features::live::{Board, LiveEvent};
    /// use harvest_records::published::{record, Record};
    /// use harvest_kernel::{propose, HarvestInput, Tolerance};
    /// let f = record(&propose(&HarvestInput::default()).unwrap(), 0, false);
    /// let mut b = Board::new(Tolerance::default());
    /// b.apply(LiveEvent::Proposal(Record::of(f)), 0.0);
    /// let row = &b.rows()[0];
    /// assert_eq!(row.shown("R_net"), "-0.05");
    /// assert_eq!(row.field("R_net"), "-0.05");
    /// assert_eq!(row.shown("new_sl_proposed"), "None");
    /// ```
    pub fn shown(&self, name: &str) -> String {
        let raw = self.field(name);
        match number(&self.fields, name) {
            Ok(v) if raw != "None" => crate::format::format_sig(v, 6),
            _ => raw.to_string(),
        }
    }

    /// Whether the last update changed `field`.
    pub fn did_change(&self, field: &str) -> bool {
        self.changed.contains(&field)
    }

    /// Whether the proposal is gone from Redis (shown marked until it is dropped).
    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }

    /// The second opinion's sentences, joined (empty: nothing to say).
    pub fn second_opinion(&self) -> String {
        self.review
            .second_opinion
            .as_ref()
            .map(|o| o.notes.join("; "))
            .unwrap_or_default()
    }
}

/// Every symbol's latest proposal, verified.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    rows: BTreeMap<String, LiveRow>,
    /// The server's Redis status (`connected`, or why not).
    pub status: String,
    /// Events that could not be read (the latest message), shown under the table.
    pub problem: Option<String>,
    tol: Tolerance,
    /// The theta in force and when the records were read.
    ctx: Context,
}

impl Board {
    /// An empty board verifying with `tol`.
    pub fn new(tol: Tolerance) -> Self {
        Board {
            tol,
            status: "connecting".to_string(),
            ..Board::default()
        }
    }

    /// Applies one event at `now` (ms, the page's clock); returns the symbols whose row changed.
    ///
    /// ```
    /// use harvest_features::live::{Board, LiveEvent};
    /// use harvest_records::published::{record, Record};
    /// use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict};
    /// let mut b = Board::new(Tolerance::default());
    /// let f = record(&propose(&HarvestInput::default()).unwrap(), 0, true);
    /// b.apply(LiveEvent::Proposal(Record::of(f)), 0.0);
    /// assert_eq!(b.rows()[0].review.verdict, Verdict::Match);
    /// b.apply(LiveEvent::Removed("BTCUSDT".into()), 1000.0);
    /// assert!(b.rows()[0].is_closed());
    /// b.prune(1000.0 + 15_000.0);
    /// assert!(b.rows().is_empty());
    /// ```
    pub fn apply(&mut self, ev: LiveEvent, now: f64) -> Vec<String> {
        match ev {
            LiveEvent::Status(s) => {
                self.status = s;
                Vec::new()
            }
            LiveEvent::Proposal(r) => self.offer(r).into_iter().collect(),
            LiveEvent::Removed(symbol) => match self.rows.get_mut(&symbol) {
                Some(row) if row.closed_at.is_none() => {
                    row.closed_at = Some(now);
                    row.updates += 1;
                    vec![symbol]
                }
                _ => Vec::new(),
            },
            LiveEvent::Theta(t) => {
                self.set_theta(&t);
                self.rereview()
            }
            LiveEvent::Snapshot {
                records,
                history,
                theta,
                status,
            } => {
                self.status = status;
                if let Some(t) = &theta {
                    self.set_theta(t);
                }
                let mut ks: BTreeMap<String, Vec<f64>> = BTreeMap::new();
                for r in &history {
                    if let (Some(s), Ok(k)) = (r.symbol(), number(&r.fields, "kill_score")) {
                        push_capped(ks.entry(s.to_string()).or_default(), k, HISTORY_CAP);
                    }
                }
                let mut touched = Vec::new();
                let mut present = std::collections::BTreeSet::new();
                for r in records {
                    let Some(sym) = r.symbol().map(str::to_string) else {
                        continue;
                    };
                    present.insert(sym.clone());
                    let k_history = ks.remove(&sym).unwrap_or_default();
                    if self.rows.get(&sym).is_some_and(|row| {
                        row.fields == r.fields
                            && row.position == r.position
                            && row.closed_at.is_none()
                    }) {
                        continue;
                    }
                    if let Some(s) = self.offer(r) {
                        if !k_history.is_empty() {
                            if let Some(row) = self.rows.get_mut(&s) {
                                if row.updates == 1 {
                                    row.k_history = k_history;
                                    let k = number(&row.fields, "kill_score").ok();
                                    if k.is_some() && row.k_history.last().copied() != k {
                                        row.k_history.extend(k);
                                    }
                                }
                            }
                        }
                        touched.push(s);
                    }
                }
                // A snapshot replaces the board: what it no longer has is closed.
                for (sym, row) in self.rows.iter_mut() {
                    if !present.contains(sym) && row.closed_at.is_none() {
                        row.closed_at = Some(now);
                        row.updates += 1;
                        touched.push(sym.clone());
                    }
                }
                if theta.is_some() {
                    for s in self.rereview() {
                        if !touched.contains(&s) {
                            touched.push(s);
                        }
                    }
                }
                touched
            }
        }
    }

    fn set_theta(&mut self, t: &ThetaEvent) {
        let (in_force, read_at) = t.in_force();
        self.ctx = Context {
            in_force: Some(in_force),
            read_at,
        };
    }

    /// Reviews every row again (a new theta in force); returns the symbols whose review changed.
    fn rereview(&mut self) -> Vec<String> {
        let mut touched = Vec::new();
        for (sym, row) in self.rows.iter_mut() {
            let r = Record {
                fields: row.fields.clone(),
                position: row.position.clone(),
            };
            let again = review(row.review.line, &r, &self.tol, &self.ctx);
            if again.verdict != row.review.verdict
                || again.diffs != row.review.diffs
                || again.second_opinion != row.review.second_opinion
            {
                row.review = again;
                touched.push(sym.clone());
            }
        }
        touched
    }

    /// Takes a record: verifies it and updates its symbol's row. `None` without a symbol.
    fn offer(&mut self, r: Record) -> Option<String> {
        let sym = r.symbol()?.to_string();
        // Numbered like lines: the symbol's n-th record since the page connected.
        let n = self
            .rows
            .get(&sym)
            .map_or(1, |row| row.updates as usize + 1);
        let review_row = review(n, &r, &self.tol, &self.ctx);
        let k = number(&r.fields, "kill_score").ok();
        let row = self.rows.entry(sym.clone()).or_insert_with(|| LiveRow {
            symbol: sym.clone(),
            fields: Fields::new(),
            position: None,
            review: review_row.clone(),
            k_history: Vec::new(),
            changed: Vec::new(),
            updates: 0,
            closed_at: None,
        });
        row.changed = if row.updates == 0 || row.closed_at.is_some() {
            Vec::new()
        } else {
            WATCHED
                .into_iter()
                .filter(|w| row.fields.get(*w) != r.fields.get(*w))
                .collect()
        };
        if let Some(k) = k {
            push_capped(&mut row.k_history, k, HISTORY_CAP);
        }
        row.fields = r.fields;
        row.position = r.position;
        row.review = review_row;
        row.closed_at = None;
        row.updates += 1;
        Some(sym)
    }

    /// Drops the rows closed at least [`CLOSED_HOLD_MS`] before `now`; returns their symbols.
    pub fn prune(&mut self, now: f64) -> Vec<String> {
        let gone: Vec<String> = self
            .rows
            .iter()
            .filter(|(_, r)| r.closed_at.is_some_and(|t| now - t >= CLOSED_HOLD_MS))
            .map(|(s, _)| s.clone())
            .collect();
        for s in &gone {
            self.rows.remove(s);
        }
        gone
    }

    /// Notes an event that could not be read.
    pub fn note_problem(&mut self, message: String) {
        self.problem = Some(message);
    }

    /// The rows in symbol order.
    pub fn rows(&self) -> Vec<LiveRow> {
        self.rows.values().cloned().collect()
    }

    /// One row.
    pub fn row(&self, symbol: &str) -> Option<&LiveRow> {
        self.rows.get(symbol)
    }

    /// How many open symbols, and how many of them MATCH / MISMATCH / INVALID; then the closed
    /// rows still shown and the rows with a second opinion.
    pub fn counts(&self) -> [usize; 6] {
        use harvest_kernel::Verdict::*;
        let mut c = [0; 6];
        for r in self.rows.values() {
            if r.is_closed() {
                c[4] += 1;
                continue;
            }
            c[0] += 1;
            match r.review.verdict {
                Match | Computed => c[1] += 1,
                Mismatch => c[2] += 1,
                Invalid => c[3] += 1,
            }
            c[5] += usize::from(r.review.second_opinion.is_some());
        }
        c
    }

    /// The theta in force as the page reviews with it: one line, or `None` before the server
    /// said (the defaults).
    pub fn theta_in_force(&self) -> Option<String> {
        self.ctx.in_force.as_ref().map(|t| match &t.source {
            ThetaSource::Policy { .. } => format!("Theta in force: {}", t.describe()),
            ThetaSource::Defaults { reason } => {
                format!("Theta in force: the defaults ({reason})")
            }
            ThetaSource::Override { origin } => {
                format!("Theta in force: {origin} (given to harvest serve; overrides any policy)")
            }
        })
    }

    /// The policy's version, when a policy is in force.
    pub fn policy_version(&self) -> Option<&str> {
        self.ctx
            .in_force
            .as_ref()
            .and_then(InForce::policy)
            .map(|p| p.version.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::{propose, HarvestInput, Verdict};
    use harvest_records::fields::fields;
    use harvest_records::published::{record, PositionContext};

    fn rec(sym: &str, pnl: f64, age: f64) -> Record {
        let mut i = HarvestInput::default();
        i.position.symbol = sym.into();
        i.position.unrealized_pnl = pnl;
        i.position.age_sec = age;
        let mut f = record(&propose(&i).unwrap(), 0, true);
        f.insert("key".into(), format!("quantum:harvest:proposal:{sym}"));
        Record::of(f)
    }

    fn snapshot(records: Vec<Record>) -> LiveEvent {
        LiveEvent::Snapshot {
            records,
            history: vec![],
            theta: None,
            status: "connected".into(),
        }
    }

    #[test]
    fn events_update_rows_and_mark_changes() {
        let mut b = Board::new(Tolerance::default());
        let mut tampered = rec("ETHUSDT", 1.0, 60.0);
        tampered.fields.insert("R_net".into(), "5".into());
        // (event, touched symbols, then: symbol → (verdict, changed, k history length))
        type Want<'a> = Vec<(&'a str, Verdict, Vec<&'a str>, usize)>;
        let steps: Vec<(LiveEvent, Vec<&str>, Want)> = vec![
            (
                LiveEvent::Snapshot {
                    records: vec![rec("BTCUSDT", 0.5, 3600.0), rec("ETHUSDT", 1.0, 60.0)],
                    history: vec![rec("BTCUSDT", 0.1, 60.0), rec("BTCUSDT", 0.2, 1800.0)],
                    theta: None,
                    status: "connected".into(),
                },
                vec!["BTCUSDT", "ETHUSDT"],
                vec![
                    ("BTCUSDT", Verdict::Match, vec![], 3),
                    ("ETHUSDT", Verdict::Match, vec![], 1),
                ],
            ),
            (
                LiveEvent::Proposal(rec("BTCUSDT", 5.0, 3600.0)),
                vec!["BTCUSDT"],
                vec![(
                    "BTCUSDT",
                    Verdict::Match,
                    vec!["harvest_action", "new_sl_proposed", "R_net"],
                    4,
                )],
            ),
            (
                LiveEvent::Proposal(rec("BTCUSDT", 5.0, 80_000.0)),
                vec!["BTCUSDT"],
                vec![("BTCUSDT", Verdict::Match, vec!["kill_score"], 5)],
            ),
            (
                LiveEvent::Proposal(tampered),
                vec!["ETHUSDT"],
                vec![("ETHUSDT", Verdict::Mismatch, vec!["R_net"], 2)],
            ),
            (
                LiveEvent::Status("Redis lost; retrying in 1.0 s".into()),
                vec![],
                vec![],
            ),
        ];
        for (i, (ev, touched, want)) in steps.into_iter().enumerate() {
            assert_eq!(b.apply(ev, 0.0), touched, "step {i}");
            for (sym, verdict, changed, hist) in want {
                let r = b.row(sym).unwrap();
                assert_eq!(r.review.verdict, verdict, "step {i} {sym}");
                assert_eq!(r.changed, changed, "step {i} {sym}");
                assert_eq!(r.k_history.len(), hist, "step {i} {sym}");
            }
        }
        assert_eq!(b.status, "Redis lost; retrying in 1.0 s");
        assert_eq!(b.counts(), [2, 1, 1, 0, 0, 0]);
        // A snapshot after a reconnect with unchanged records changes nothing.
        let eth = b.row("ETHUSDT").unwrap().fields.clone();
        let again = snapshot(vec![
            Record::of(b.row("BTCUSDT").unwrap().fields.clone()),
            Record::of(eth),
        ]);
        assert!(b.apply(again, 0.0).is_empty());
        assert_eq!(b.row("BTCUSDT").unwrap().updates, 3);
    }

    #[test]
    fn closed_rows_are_marked_then_gone_and_a_snapshot_replaces_the_board() {
        let mut b = Board::new(Tolerance::default());
        b.apply(
            snapshot(vec![
                rec("AUSDT", 1.0, 60.0),
                rec("BUSDT", 1.0, 60.0),
                rec("CUSDT", 1.0, 60.0),
            ]),
            0.0,
        );
        // AUSDT's proposal is deleted (the position is gone).
        assert_eq!(
            b.apply(LiveEvent::Removed("AUSDT".into()), 1000.0),
            ["AUSDT"]
        );
        assert!(b.row("AUSDT").unwrap().is_closed());
        assert_eq!(b.counts(), [2, 2, 0, 0, 1, 0]);
        assert!(b
            .apply(LiveEvent::Removed("AUSDT".into()), 2000.0)
            .is_empty());
        // Redis restarted empty but for CUSDT: BUSDT is closed too.
        assert_eq!(
            b.apply(snapshot(vec![rec("CUSDT", 1.0, 60.0)]), 5000.0),
            ["BUSDT"]
        );
        assert!(b.row("BUSDT").unwrap().is_closed());
        assert!(b.prune(15_999.0).is_empty());
        assert_eq!(b.prune(16_000.0), ["AUSDT"]);
        assert_eq!(b.prune(20_000.0), ["BUSDT"]);
        assert_eq!(b.rows().len(), 1);
        // A closed symbol that comes back is open again.
        b.apply(LiveEvent::Removed("CUSDT".into()), 21_000.0);
        b.apply(LiveEvent::Proposal(rec("CUSDT", 2.0, 60.0)), 22_000.0);
        assert!(!b.row("CUSDT").unwrap().is_closed());
    }

    #[test]
    fn the_key_symbol_must_be_the_records_and_the_policy_is_used() {
        let mut b = Board::new(Tolerance::default());
        // BTCUSDT's record copied under ETHUSDT's key.
        let mut copied = rec("BTCUSDT", 1.0, 60.0);
        copied
            .fields
            .insert("key".into(), "quantum:harvest:proposal:ETHUSDT".into());
        copied.fields.insert("symbol".into(), "ETHUSDT".into());
        b.apply(LiveEvent::Proposal(copied), 0.0);
        let row = b.row("ETHUSDT").unwrap();
        assert_eq!(row.review.verdict, Verdict::Invalid);
        assert!(
            row.review
                .error
                .as_deref()
                .unwrap()
                .contains("a record copied under another key"),
            "{:?}",
            row.review.error
        );
        // A running-system record computed with T1_R 1.25: MISMATCH with the defaults, MATCH
        // once the policy that says so is in force.
        let mut i = HarvestInput::default();
        i.position.unrealized_pnl = 3.0;
        i.theta = Some(Theta {
            t1_r: 1.25,
            ..Theta::default()
        });
        let mut f = record(&propose(&i).unwrap(), 0, false);
        f.insert("key".into(), "quantum:harvest:proposal:BTCUSDT".into());
        let r = Record {
            fields: f,
            position: Some(PositionContext {
                key: "quantum:state:positions:BTCUSDT".into(),
                fields: fields(&[("side", "LONG"), ("entry_price", "100")]),
            }),
        };
        b.apply(LiveEvent::Proposal(r), 0.0);
        assert_eq!(b.row("BTCUSDT").unwrap().review.verdict, Verdict::Mismatch);
        let policy = PolicyLine {
            key: "quantum:policy:current".into(),
            fields: fields(&[
                ("universe_symbols", "[]"),
                ("leverage_by_symbol", "{}"),
                ("harvest_params", "{\"T1_R\": 1.25}"),
                ("kill_params", "{}"),
                ("valid_until_epoch", "2000"),
                ("policy_version", "7"),
            ]),
            read_at: 1000.0,
        };
        let touched = b.apply(LiveEvent::Theta(ThetaEvent::Policy(policy.clone())), 0.0);
        assert_eq!(touched, ["BTCUSDT"]);
        assert_eq!(b.row("BTCUSDT").unwrap().review.verdict, Verdict::Match);
        assert_eq!(b.policy_version(), Some("7"));
        assert!(b
            .theta_in_force()
            .unwrap()
            .starts_with("Theta in force: policy 7 (hash "));
        // Read after it expired: the defaults again.
        let expired = PolicyLine {
            read_at: 3000.0,
            ..policy
        };
        b.apply(LiveEvent::Theta(ThetaEvent::Policy(expired)), 0.0);
        assert_eq!(b.row("BTCUSDT").unwrap().review.verdict, Verdict::Mismatch);
        assert!(b
            .theta_in_force()
            .unwrap()
            .starts_with("Theta in force: the defaults (policy 7 expired at"));
    }

    #[test]
    fn history_is_capped_and_events_parse() {
        let mut h = Vec::new();
        for i in 0..(HISTORY_CAP + 10) {
            push_capped(&mut h, i as f64, HISTORY_CAP);
        }
        assert_eq!(h.len(), HISTORY_CAP);
        assert_eq!(h[0], 10.0);
        let r = rec("BTCUSDT", 1.0, 1.0);
        assert_eq!(
            parse_event("proposal", &r.to_json()).unwrap(),
            LiveEvent::Proposal(r)
        );
        let snap = parse_event("snapshot", r#"{"records": [], "status": "connected"}"#).unwrap();
        assert!(matches!(snap, LiveEvent::Snapshot { ref status, .. } if status == "connected"));
        for (name, data) in [
            ("snapshot", "{"),
            ("status", "{}"),
            ("proposal", "{\"a\": [1.5]}"),
            ("removed", "{}"),
            ("policy", "{}"),
        ] {
            let e = parse_event(name, data).unwrap_err();
            assert!(
                matches!(e, EventError::Data { name: n, .. } if n == name),
                "{e:?}"
            );
            assert!(e.to_string().starts_with(&format!("{name} event: ")), "{e}");
        }
        let e = parse_event("other", "{}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown event \"other\": expected snapshot, proposal, removed, policy or status"
        );
        // Numbers are shown to 6 significant digits; other text as published.
        let mut b = Board::new(Tolerance::default());
        let mut r = rec("BTCUSDT", 1.0, 1.0);
        r.fields
            .insert("kill_score".into(), "0.5032117613802763".into());
        b.apply(LiveEvent::Proposal(r), 0.0);
        let row = b.row("BTCUSDT").unwrap();
        assert_eq!(row.shown("kill_score"), "0.503212");
        assert_eq!(row.field("kill_score"), "0.5032117613802763");
        assert_eq!(row.shown("new_sl_proposed"), "None");
        assert_eq!(row.shown("harvest_action"), "NONE");
        // Records without a symbol are ignored, not a panic.
        let mut b = Board::new(Tolerance::default());
        assert!(b
            .apply(LiveEvent::Proposal(Record::default()), 0.0)
            .is_empty());
    }
}
