//! The Live view's state and its event stream (`/api/live`, Server-Sent Events).
//!
//! Every event is encoded once, as the bytes of its SSE frame, and shared by every page (a
//! [`Bytes`] is a reference-counted view): a new record is one `proposal` frame for all, and the
//! snapshot a page gets first is built once per change of the state and handed to every page
//! that connects until the next change. A page's only queue is the one broadcast ring all pages
//! share: one that falls more than its length behind is dropped with the reason logged (the
//! browser reconnects and gets the current snapshot), one that stops reading is closed by the
//! connection's write deadline ([`super::conn`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::ser::{Serialize, SerializeMap, Serializer};
use tokio::sync::{broadcast, watch};

use super::conn::Peer;
use harvest_features::live::ThetaEvent;
use harvest_features::reviewer::published::Record;

/// Pages' events in the broadcast ring; more unread than this and a page is dropped.
pub(super) const RING: usize = 4096;

/// A sync that changes more records than this is sent as one new snapshot (the shared one)
/// instead of a `proposal` event each (which would overrun the ring of every page).
const RESYNC_AT: usize = RING / 4;

/// How long a page that connects while the state is being read waits for it before it gets
/// what there is (with the status saying why).
const FIRST_READ_WAIT: Duration = Duration::from_secs(10);

/// A comment line every 15 s: proxies keep the stream open, and a page that is gone is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A message to every connected page.
#[derive(Debug, Clone)]
pub(super) enum Msg {
    /// An encoded event (`proposal`, `removed`, `policy`, `status`): sent as it is.
    Frame(Bytes),
    /// The state was reloaded: send the current snapshot.
    Resync,
}

/// What the reader has read, and the shared snapshot of it.
#[derive(Default)]
struct Shared {
    /// Every symbol's latest record (with its position record).
    latest: BTreeMap<String, Record>,
    /// Recent stream entries and changes, oldest first.
    history: VecDeque<Record>,
    /// `connected`, or why not.
    status: String,
    /// The theta in force and what it said (to announce it again only on a change).
    theta: Option<(ThetaEvent, String)>,
    /// The `snapshot` frame of the state as it is, once a page asked for it.
    frame: Option<Bytes>,
}

impl Shared {
    /// The `snapshot` event: the records, the history, the theta in force and the status.
    fn encode(&self) -> Bytes {
        struct Snapshot<'a>(&'a Shared);
        struct Seq<I>(std::cell::Cell<Option<I>>);
        impl<'a, I: Iterator<Item = &'a Record>> Serialize for Seq<I> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.take().into_iter().flatten())
            }
        }
        impl Serialize for Snapshot<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let st = self.0;
                let mut m = s.serialize_map(Some(4))?;
                m.serialize_entry(
                    "records",
                    &Seq(std::cell::Cell::new(Some(st.latest.values()))),
                )?;
                m.serialize_entry(
                    "history",
                    &Seq(std::cell::Cell::new(Some(st.history.iter()))),
                )?;
                let theta = st.theta.as_ref().and_then(|(t, _)| {
                    serde_json::from_str::<serde_json::Value>(&t.to_json()).ok()
                });
                m.serialize_entry("theta", &theta)?;
                m.serialize_entry("status", &st.status)?;
                m.end()
            }
        }
        let mut out = b"event: snapshot\ndata: ".to_vec();
        // Writing into a Vec fails only on a non-string map key, which there is none of.
        let _ = serde_json::to_writer(&mut out, &Snapshot(self));
        out.extend_from_slice(b"\n\n");
        Bytes::from(out)
    }
}

/// The SSE frame of one event.
pub(super) fn frame(event: &str, json: &str) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {json}\n\n"))
}

/// Shared between the Redis reader and the HTTP handlers.
pub(super) struct Live {
    shared: Mutex<Shared>,
    events: broadcast::Sender<Msg>,
    /// Counts the reader's attempts at a first read (done or failed): a page that connects
    /// while nothing is read waits for the next.
    reads: watch::Sender<u64>,
    /// Whether the state was read since the last page left (else the reader is idle).
    loaded: Mutex<bool>,
    /// Wakes the idle reader when a page connects.
    arrived: Condvar,
    /// Records kept in the history.
    cap: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn status_json(s: &str) -> String {
    serde_json::json!({ "status": s }).to_string()
}

impl Live {
    pub(super) fn new(history: usize) -> Live {
        Live {
            shared: Mutex::new(Shared {
                status: "connecting".to_string(),
                ..Shared::default()
            }),
            events: broadcast::channel(RING).0,
            reads: watch::channel(0).0,
            loaded: Mutex::new(false),
            arrived: Condvar::new(),
            cap: history,
        }
    }

    /// Pages connected now.
    pub(super) fn pages(&self) -> usize {
        self.events.receiver_count()
    }

    /// Blocks the reader until a page is connected.
    pub(super) fn wait_for_a_page(&self) {
        let mut loaded = lock(&self.loaded);
        while self.pages() == 0 {
            loaded = self
                .arrived
                .wait_timeout(loaded, Duration::from_secs(5))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The last page left: the state is dropped (it is read afresh for the next page), and
    /// nothing is read until one comes.
    pub(super) fn go_idle(&self) {
        *lock(&self.loaded) = false;
        let mut st = lock(&self.shared);
        st.latest = BTreeMap::new();
        st.history = VecDeque::new();
        st.status = "connecting".to_string();
        st.frame = None;
    }

    /// The state as first read on a connection (hashes, stream history, theta already set):
    /// every page gets it as a new snapshot.
    pub(super) fn load(&self, records: Vec<Record>, history: Vec<Record>) {
        {
            let mut st = lock(&self.shared);
            st.latest = records
                .into_iter()
                .filter_map(|r| Some((r.symbol()?.to_string(), r)))
                .collect();
            st.history = history.into_iter().collect();
            while st.history.len() > self.cap {
                st.history.pop_front();
            }
            st.status = "connected".to_string();
            st.frame = None;
            let _ = self.events.send(Msg::Resync);
        }
        *lock(&self.loaded) = true;
        self.reads.send_modify(|n| *n += 1);
    }

    /// A first read failed: pages waiting for it get what there is (the status says why).
    pub(super) fn read_failed(&self) {
        self.reads.send_modify(|n| *n += 1);
    }

    /// Sets the theta in force; tells the pages when what it says changed (a new policy, one
    /// that expired). `quiet`: only keep it (a snapshot follows).
    pub(super) fn set_theta(&self, t: ThetaEvent, quiet: bool) {
        let said = match &t {
            ThetaEvent::Policy(p) => format!("{:?} {}", p.fields, p.in_force().describe()),
            ThetaEvent::Override { origin, .. } => origin.clone(),
        };
        let mut st = lock(&self.shared);
        let changed = st.theta.as_ref().is_none_or(|(_, s)| *s != said);
        let json = t.to_json();
        st.theta = Some((t, said));
        if changed {
            st.frame = None;
            if !quiet {
                let _ = self.events.send(Msg::Frame(frame("policy", &json)));
            }
        }
    }

    pub(super) fn set_status(&self, s: String) {
        let mut st = lock(&self.shared);
        if st.status != s {
            let f = frame("status", &status_json(&s));
            st.status = s;
            st.frame = None;
            let _ = self.events.send(Msg::Frame(f));
        }
    }

    /// Takes every symbol's record as read now: keeps those that say something new and tells
    /// the pages of them and of the symbols whose proposal is gone (deleted by the publisher
    /// when the position went); many changes at once are one new snapshot.
    pub(super) fn sync(&self, records: Vec<Record>) {
        let now: BTreeSet<String> = records
            .iter()
            .filter_map(|r| r.symbol().map(str::to_string))
            .collect();
        let mut st = lock(&self.shared);
        let mut news: Vec<Bytes> = Vec::new();
        for r in records {
            if let Some(json) = self.take(&mut st, r) {
                news.push(frame("proposal", &json));
            }
        }
        let gone: Vec<String> = st
            .latest
            .keys()
            .filter(|s| !now.contains(*s))
            .cloned()
            .collect();
        for s in gone {
            st.latest.remove(&s);
            news.push(frame(
                "removed",
                &serde_json::json!({ "symbol": s }).to_string(),
            ));
        }
        if news.is_empty() {
            return;
        }
        st.frame = None;
        if news.len() > RESYNC_AT {
            let _ = self.events.send(Msg::Resync);
        } else {
            for f in news {
                let _ = self.events.send(Msg::Frame(f));
            }
        }
    }

    /// Takes a record read from the stream; tells the pages if it says something new.
    pub(super) fn offer(&self, r: Record) {
        let mut st = lock(&self.shared);
        if let Some(json) = self.take(&mut st, r) {
            st.frame = None;
            let _ = self.events.send(Msg::Frame(frame("proposal", &json)));
        }
    }

    /// Keeps a record if it says something new (a refreshed `last_update_epoch` alone is not
    /// news, nor a record older than the one kept); its JSON if kept. A stream entry takes the
    /// hash's key and position record.
    fn take(&self, st: &mut Shared, mut f: Record) -> Option<String> {
        let sym = f.symbol()?.to_string();
        if let Some(old) = st.latest.get(&sym) {
            if f.position.is_none() {
                f.position = old.position.clone();
            }
            if let (false, Some(k)) = (f.fields.contains_key("key"), old.fields.get("key")) {
                f.fields.insert("key".to_string(), k.clone());
            }
            if same(old, &f) || older(&f, old) {
                return None;
            }
        }
        let json = f.to_json();
        st.history.push_back(f.clone());
        while st.history.len() > self.cap {
            st.history.pop_front();
        }
        st.latest.insert(sym, f);
        Some(json)
    }

    /// The `snapshot` frame of the state as it is: built by the first page that asks after a
    /// change, shared by the others.
    pub(super) fn snapshot(&self) -> Bytes {
        let mut st = lock(&self.shared);
        if let Some(f) = &st.frame {
            return f.clone();
        }
        let f = st.encode();
        st.frame = Some(f.clone());
        f
    }

    /// Whether the state has been read (since the last page left).
    fn is_loaded(&self) -> bool {
        *lock(&self.loaded)
    }
}

/// Whether `new` was published before `old` (by `last_update_epoch`): a hash read between a
/// publisher's stream entry and its hash write must not undo the newer record.
fn older(new: &Record, old: &Record) -> bool {
    let epoch = |r: &Record| {
        r.fields
            .get("last_update_epoch")
            .and_then(|e| e.trim().parse::<f64>().ok())
    };
    matches!((epoch(new), epoch(old)), (Some(n), Some(o)) if n < o)
}

/// Equal but for the fields that change without the proposal changing.
fn same(a: &Record, b: &Record) -> bool {
    fn strip(r: &Record) -> impl Iterator<Item = (&String, &String)> {
        r.fields
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "last_update_epoch" | "stream_id" | "key"))
    }
    strip(a).eq(strip(b)) && a.position == b.position
}

/// The snapshot, off the async workers (the first build after a change serialises every
/// record).
async fn snapshot(live: &Arc<Live>) -> Bytes {
    let live = live.clone();
    tokio::task::spawn_blocking(move || live.snapshot())
        .await
        .unwrap_or_default()
}

/// `GET /api/live`: a `snapshot` event, then `proposal`, `removed`, `policy` and `status`
/// events as they come, and a comment line every 15 s.
pub(super) async fn events(
    State(live): State<Arc<Live>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
) -> Response {
    let rx = live.events.subscribe();
    // Wake the reader if it is idle, and wait (a while) for its first read.
    let mut reads = live.reads.subscribe();
    if !live.is_loaded() {
        live.arrived.notify_all();
        let _ = tokio::time::timeout(FIRST_READ_WAIT, reads.changed()).await;
    }
    let first = snapshot(&live).await;
    let stream = futures_util::stream::unfold(
        (Some(first), rx, live),
        move |(pending, mut rx, live)| async move {
            let f = match pending {
                Some(f) => f,
                None => next_frame(&live, &mut rx, peer).await?,
            };
            Some((Ok::<_, Infallible>(f), (None, rx, live)))
        },
    );
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// A page's next frame; `None` ends its stream (the server stops, or the page fell behind).
async fn next_frame(
    live: &Arc<Live>,
    rx: &mut broadcast::Receiver<Msg>,
    peer: std::net::SocketAddr,
) -> Option<Bytes> {
    match tokio::time::timeout(KEEP_ALIVE, rx.recv()).await {
        Err(_) => Some(Bytes::from_static(b": keep-alive\n\n")),
        Ok(Ok(Msg::Frame(f))) => Some(f),
        Ok(Ok(Msg::Resync)) => Some(snapshot(live).await),
        Ok(Err(broadcast::error::RecvError::Lagged(n))) => {
            eprintln!(
                "harvest serve: dropped the live stream of {peer}: it fell {n} events behind \
                 (more than {RING} unread; its browser reconnects and gets a fresh snapshot)"
            );
            None
        }
        Ok(Err(broadcast::error::RecvError::Closed)) => None,
    }
}
