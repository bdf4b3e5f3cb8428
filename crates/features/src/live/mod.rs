//! The dashboard's Live view as plain data: the published proposals `harvest serve` streams
//! (`/api/live`: a `snapshot` event, then `proposal` and `status` events), each symbol's latest
//! record verified as it arrives ([`review_fields`]), its K history for the sparkline and what
//! changed since the previous record. Pure and natively tested; `ui::live` only renders it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::reviewer::published::{number, review_fields, Context, Fields};
use crate::reviewer::verify::ReviewRow;
use harvest_kernel::Tolerance;

/// K values kept per symbol for its sparkline.
pub const HISTORY_CAP: usize = 120;

/// The output fields whose change is highlighted, in table order.
pub const WATCHED: [&str; 4] = ["harvest_action", "new_sl_proposed", "R_net", "kill_score"];

/// One event of the stream, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// Everything at once: every symbol's latest record, recent history (oldest first), status.
    Snapshot {
        /// Latest record per symbol.
        records: Vec<Fields>,
        /// Recent records, oldest first (the K histories).
        history: Vec<Fields>,
        /// `connected`, or why not.
        status: String,
    },
    /// A new record.
    Proposal(Fields),
    /// The server's connection to Redis changed.
    Status(String),
}

#[derive(Deserialize)]
struct SnapshotIn {
    #[serde(default)]
    records: Vec<Fields>,
    #[serde(default)]
    history: Vec<Fields>,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
struct StatusIn {
    status: String,
}

/// Why a stream event could not be used; the message names the event.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The data of a known event is not the JSON it should be.
    #[error("{name} event: {source}")]
    Data {
        /// `snapshot`, `proposal` or `status`.
        name: &'static str,
        /// What JSON parsing said.
        source: serde_json::Error,
    },
    /// An event name the stream does not send.
    #[error("unknown event {0:?}: expected snapshot, proposal or status")]
    Unknown(String),
}

/// Parses an event by its SSE name (`snapshot`, `proposal`, `status`) and data.
///
/// # Errors
/// [`EventError::Data`] naming the event and what is wrong with its data,
/// [`EventError::Unknown`] for another name.
///
/// ```
/// use harvest_features::live::{parse_event, LiveEvent};
/// let e = parse_event("status", r#"{"status": "connected"}"#).unwrap();
/// assert_eq!(e, LiveEvent::Status("connected".into()));
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
                status: s.status,
            })
        }
        "proposal" => json("proposal", data).map(LiveEvent::Proposal),
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
    /// Its verification (verdict, recomputed values, diffs, unchecked fields).
    pub review: ReviewRow,
    /// K of its records, oldest first (at most [`HISTORY_CAP`]).
    pub k_history: Vec<f64>,
    /// Watched fields that differ from the previous record (empty for the first).
    pub changed: Vec<&'static str>,
    /// Records received for this symbol (the row's key changes with it).
    pub updates: u32,
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
    /// use harvest_records::published::record as record_from_proposal;
    /// use harvest_kernel::{propose, HarvestInput, Tolerance};
    /// let f = record_from_proposal(&propose(&HarvestInput::default()).unwrap(), 0, false);
    /// let mut b = Board::new(Tolerance::default());
    /// b.apply(LiveEvent::Proposal(f));
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

    /// Applies one event; returns the symbols whose row changed.
    ///
    /// ```
    /// use harvest_features::live::{Board, LiveEvent};
    /// use harvest_records::published::record as record_from_proposal;
    /// use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict};
    /// let mut b = Board::new(Tolerance::default());
    /// let f = record_from_proposal(&propose(&HarvestInput::default()).unwrap(), 0, true);
    /// b.apply(LiveEvent::Proposal(f));
    /// assert_eq!(b.rows()[0].review.verdict, Verdict::Match);
    /// ```
    pub fn apply(&mut self, ev: LiveEvent) -> Vec<String> {
        match ev {
            LiveEvent::Status(s) => {
                self.status = s;
                Vec::new()
            }
            LiveEvent::Proposal(f) => self.offer(f).into_iter().collect(),
            LiveEvent::Snapshot {
                records,
                history,
                status,
            } => {
                self.status = status;
                let mut ks: BTreeMap<String, Vec<f64>> = BTreeMap::new();
                for f in &history {
                    if let (Some(s), Ok(k)) = (f.get("symbol"), number(f, "kill_score")) {
                        crate::reviewer::published::push_capped(
                            ks.entry(s.clone()).or_default(),
                            k,
                            HISTORY_CAP,
                        );
                    }
                }
                let mut touched = Vec::new();
                for f in records {
                    let Some(sym) = f.get("symbol").cloned() else {
                        continue;
                    };
                    let k_history = ks.remove(&sym).unwrap_or_default();
                    if self.rows.get(&sym).is_some_and(|r| r.fields == f) {
                        continue;
                    }
                    if let Some(s) = self.offer(f) {
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
                touched
            }
        }
    }

    /// Takes a record: verifies it and updates its symbol's row. `None` without a symbol.
    fn offer(&mut self, f: Fields) -> Option<String> {
        let sym = f.get("symbol").filter(|s| !s.is_empty())?.clone();
        // Numbered like lines: the symbol's n-th record since the page connected.
        let n = self.rows.get(&sym).map_or(1, |r| r.updates as usize + 1);
        let review = review_fields(n, &f, &self.tol, &Context::default());
        let k = number(&f, "kill_score").ok();
        let row = self.rows.entry(sym.clone()).or_insert_with(|| LiveRow {
            symbol: sym.clone(),
            fields: Fields::new(),
            review: review.clone(),
            k_history: Vec::new(),
            changed: Vec::new(),
            updates: 0,
        });
        row.changed = if row.updates == 0 {
            Vec::new()
        } else {
            WATCHED
                .into_iter()
                .filter(|w| row.fields.get(*w) != f.get(*w))
                .collect()
        };
        if let Some(k) = k {
            crate::reviewer::published::push_capped(&mut row.k_history, k, HISTORY_CAP);
        }
        row.fields = f;
        row.review = review;
        row.updates += 1;
        Some(sym)
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

    /// How many symbols, and how many of them MATCH / MISMATCH / INVALID.
    pub fn counts(&self) -> [usize; 4] {
        use harvest_kernel::Verdict::*;
        let mut c = [self.rows.len(), 0, 0, 0];
        for r in self.rows.values() {
            match r.review.verdict {
                Match | Computed => c[1] += 1,
                Mismatch => c[2] += 1,
                Invalid => c[3] += 1,
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::{propose, HarvestInput, Verdict};
    use harvest_records::published::record as record_from_proposal;

    fn rec(sym: &str, pnl: f64, age: f64) -> Fields {
        let mut i = HarvestInput::default();
        i.position.symbol = sym.into();
        i.position.unrealized_pnl = pnl;
        i.position.age_sec = age;
        record_from_proposal(&propose(&i).unwrap(), 0, true)
    }

    #[test]
    fn events_update_rows_and_mark_changes() {
        let mut b = Board::new(Tolerance::default());
        let mut tampered = rec("ETHUSDT", 1.0, 60.0);
        tampered.insert("R_net".into(), "5".into());
        // (event, touched symbols, then: symbol → (verdict, changed, k history length))
        type Want<'a> = Vec<(&'a str, Verdict, Vec<&'a str>, usize)>;
        let steps: Vec<(LiveEvent, Vec<&str>, Want)> = vec![
            (
                LiveEvent::Snapshot {
                    records: vec![rec("BTCUSDT", 0.5, 3600.0), rec("ETHUSDT", 1.0, 60.0)],
                    history: vec![rec("BTCUSDT", 0.1, 60.0), rec("BTCUSDT", 0.2, 1800.0)],
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
            assert_eq!(b.apply(ev), touched, "step {i}");
            for (sym, verdict, changed, hist) in want {
                let r = b.row(sym).unwrap();
                assert_eq!(r.review.verdict, verdict, "step {i} {sym}");
                assert_eq!(r.changed, changed, "step {i} {sym}");
                assert_eq!(r.k_history.len(), hist, "step {i} {sym}");
            }
        }
        assert_eq!(b.status, "Redis lost; retrying in 1.0 s");
        assert_eq!(b.counts(), [2, 1, 1, 0]);
        // A snapshot after a reconnect with unchanged records changes nothing.
        let again = LiveEvent::Snapshot {
            records: vec![b.row("BTCUSDT").unwrap().fields.clone()],
            history: vec![],
            status: "connected".into(),
        };
        assert!(b.apply(again).is_empty());
        assert_eq!(b.row("BTCUSDT").unwrap().updates, 3);
    }

    #[test]
    fn history_is_capped_and_events_parse() {
        let mut h = Vec::new();
        for i in 0..(HISTORY_CAP + 10) {
            crate::reviewer::published::push_capped(&mut h, i as f64, HISTORY_CAP);
        }
        assert_eq!(h.len(), HISTORY_CAP);
        assert_eq!(h[0], 10.0);
        let f = rec("BTCUSDT", 1.0, 1.0);
        let data = serde_json::to_string(&f).unwrap();
        assert_eq!(
            parse_event("proposal", &data).unwrap(),
            LiveEvent::Proposal(f)
        );
        let snap = parse_event("snapshot", r#"{"records": [], "status": "connected"}"#).unwrap();
        assert!(matches!(snap, LiveEvent::Snapshot { ref status, .. } if status == "connected"));
        for (name, data) in [
            ("snapshot", "{"),
            ("status", "{}"),
            ("proposal", "{\"a\": 1.5}"),
        ] {
            let e = parse_event(name, data).unwrap_err();
            assert!(
                matches!(e, EventError::Data { name: n, .. } if n == name),
                "{e:?}"
            );
            assert!(e.to_string().starts_with(&format!("{name} event: ")), "{e}");
        }
        let e = parse_event("other", "{}").unwrap_err();
        assert!(
            matches!(e, EventError::Unknown(ref n) if n == "other"),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "unknown event \"other\": expected snapshot, proposal or status"
        );
        // Numbers are shown to 6 significant digits; other text as published.
        let mut b = Board::new(Tolerance::default());
        let mut f = rec("BTCUSDT", 1.0, 1.0);
        f.insert("kill_score".into(), "0.5032117613802763".into());
        b.apply(LiveEvent::Proposal(f));
        let row = b.row("BTCUSDT").unwrap();
        assert_eq!(row.shown("kill_score"), "0.503212");
        assert_eq!(row.field("kill_score"), "0.5032117613802763");
        assert_eq!(row.shown("new_sl_proposed"), "None");
        assert_eq!(row.shown("harvest_action"), "NONE");
        // Records without a symbol are ignored, not a panic.
        let mut b = Board::new(Tolerance::default());
        assert!(b.apply(LiveEvent::Proposal(Fields::new())).is_empty());
    }
}
