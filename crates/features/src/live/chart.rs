//! One symbol's live chart as plain data: its candles as the candle cache holds them (the keys
//! P0.5 reads) and its proposals from the harvest stream, as `harvest serve --redis` streams them
//! at `/api/live/chart?symbol=SYM` (a `chart` event, then `bar`, `proposal` and `status`
//! events). [`candle_of`] reads a cache member (the server uses it), [`SymbolChart`] keeps what
//! the page was sent, and [`aligned`] puts each proposal on the bar that was the newest in Redis
//! when it was computed. The chart itself is [`crate::charts::live_chart`].

use serde::{Deserialize, Serialize};

use crate::reviewer::published::{number, Record};
use harvest_records::num::parse_py_float;
use harvest_records::time::parse_iso;

/// Bars a chart keeps (the server sends at most this many, newest last).
pub const CHART_BARS: usize = 300;

/// Proposals a chart keeps (oldest dropped first).
pub const CHART_PROPOSALS: usize = 2000;

/// The path of a symbol's chart stream (`?symbol=` follows).
pub const CHART_PATH: &str = "/api/live/chart";

/// One bar as the chart gets it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LiveCandle {
    /// Open time, Unix seconds.
    pub time: i64,
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
    /// When the bar was in Redis as it is (Unix seconds): the member's `timestamp` (the write),
    /// else its close time; a proposal computed after it was computed with it.
    pub known_at: f64,
}

/// Why a cache member is no bar for the chart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CandleError {
    /// Neither JSON with a close nor a number.
    #[error("a candle needs JSON with close (or c) or a number; got {0:?}")]
    Unreadable(String),
    /// A price that is not a finite number > 0.
    #[error("candle {field} {value:?} is not a price (a finite number > 0)")]
    NotAPrice {
        /// `open`, `high`, `low` or `close`.
        field: &'static str,
        /// As written.
        value: String,
    },
    /// No open time: neither `open_time`/`t` nor a sorted set's score.
    #[error("a candle needs an open time (open_time or t, or a sorted set's score)")]
    NoTime,
}

/// Seconds from a time that may be in ms (≥ 10¹¹: after 1973 in ms, year 5138 in s).
fn seconds(v: f64) -> f64 {
    if v.abs() >= 1e11 {
        v / 1000.0
    } else {
        v
    }
}

fn json_number(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => parse_py_float(s),
        _ => None,
    }
}

/// A candle cache member as a bar: JSON with `close` (else `c`), `open`/`o`, `high`/`h`,
/// `low`/`l` (a missing one from the others), `open_time`/`t` (ms or s; else the sorted set's
/// `score`), `timestamp` (the write, s) or `close_time` (ms) for [`LiveCandle::known_at`]; or a
/// bare number (a close) with its score. `known_at` is `NaN` when the member says neither:
/// [`SymbolChart`] then takes the open time plus the bars' spacing. High and low are widened to
/// hold the open and close.
///
/// # Errors
/// [`CandleError`]: no close, a price that is not a finite number > 0, no time.
///
/// ```
/// use harvest_features::live::chart::candle_of;
/// let m = r#"{"symbol": "BTCUSDT", "interval": "1h", "open": 1.0, "high": 2.5, "low": 0.5, "close": 2.0, "volume": 3.0, "open_time": 1700000000000, "close_time": 1700003599999, "is_closed": true, "timestamp": 1700003600.25}"#;
/// let c = candle_of(m, Some(1.7e12)).unwrap();
/// assert_eq!((c.time, c.open, c.high, c.low, c.close, c.known_at), (1_700_000_000, 1.0, 2.5, 0.5, 2.0, 1_700_003_600.25));
/// let bare = candle_of("101.5", Some(1_700_000_060_000.0)).unwrap();
/// assert_eq!((bare.time, bare.open, bare.close), (1_700_000_060, 101.5, 101.5));
/// assert!(candle_of("101.5", None).is_err());
/// assert!(candle_of(r#"{"close": -1, "t": 1}"#, None).is_err());
/// ```
pub fn candle_of(member: &str, score: Option<f64>) -> Result<LiveCandle, CandleError> {
    let text = member.trim();
    let short = || text.chars().take(60).collect::<String>();
    let price = |field: &'static str, v: Option<f64>, raw: String| match v {
        Some(p) if p.is_finite() && p > 0.0 => Ok(p),
        _ => Err(CandleError::NotAPrice { field, value: raw }),
    };
    let (o, h, l, c, t, known) = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => {
            let get = |a: &str, b: &str| m.get(a).or_else(|| m.get(b));
            let num = |a: &'static str, b: &str| -> Result<Option<f64>, CandleError> {
                match get(a, b) {
                    None | Some(serde_json::Value::Null) => Ok(None),
                    Some(v) => price(a, json_number(v), v.to_string()).map(Some),
                }
            };
            let c = num("close", "c")?.ok_or_else(|| CandleError::Unreadable(short()))?;
            let (o, h, l) = (num("open", "o")?, num("high", "h")?, num("low", "l")?);
            let t = get("open_time", "t").and_then(json_number).map(seconds);
            let known = m
                .get("timestamp")
                .and_then(json_number)
                .map(seconds)
                .or_else(|| {
                    m.get("close_time")
                        .and_then(json_number)
                        .map(|v| seconds(v) + 0.001)
                });
            (o, h, l, c, t, known)
        }
        _ => {
            let v = parse_py_float(text).ok_or_else(|| CandleError::Unreadable(short()))?;
            let c = price("close", Some(v), text.to_string())?;
            (None, None, None, c, None, None)
        }
    };
    let time = t
        .or_else(|| score.map(seconds))
        .filter(|t| t.is_finite())
        .ok_or(CandleError::NoTime)?;
    let open = o.unwrap_or(c);
    Ok(LiveCandle {
        time: time.floor() as i64,
        open,
        high: h.unwrap_or(open.max(c)).max(open.max(c)),
        low: l.unwrap_or(open.min(c)).min(open.min(c)),
        close: c,
        known_at: known.filter(|k| k.is_finite()).unwrap_or(f64::NAN),
    })
}

/// When a record's proposal was computed (Unix seconds): `computed_at_utc`, else the stream
/// entry's id (its ms), else `last_update_epoch`.
///
/// ```
/// use harvest_features::live::chart::record_time;
/// use harvest_records::fields::fields;
/// use harvest_records::published::Record;
/// let r = Record::of(fields(&[("computed_at_utc", "2026-01-01T00:00:10.25"), ("last_update_epoch", "1")]));
/// assert_eq!(record_time(&r), Some(1_767_225_610.25));
/// assert_eq!(record_time(&Record::of(fields(&[("stream_id", "1767225610250-0")]))), Some(1_767_225_610.25));
/// ```
pub fn record_time(r: &Record) -> Option<f64> {
    let f = &r.fields;
    f.get("computed_at_utc")
        .and_then(|t| parse_iso(t))
        .or_else(|| {
            f.get("stream_id")
                .and_then(|id| id.split('-').next()?.parse::<f64>().ok())
                .map(|ms| ms / 1000.0)
        })
        .or_else(|| number(f, "last_update_epoch").ok())
}

/// The usual spacing of `candles` in seconds (the median gap; 60 with fewer than two).
pub fn spacing(candles: &[LiveCandle]) -> i64 {
    harvest_market::spacing(candles.iter().map(|c| c.time))
}

/// The bar each proposal belongs to: the newest bar already in Redis when it was computed
/// (`known_at` ≤ its time; a bar counts as known once every earlier bar is), `None` for a
/// proposal older than every bar or without a time. `candles` oldest first.
///
/// ```
/// use harvest_features::live::chart::{aligned, LiveCandle};
/// use harvest_records::fields::fields;
/// use harvest_records::published::Record;
/// let bar = |time, known_at| LiveCandle { time, open: 1.0, high: 1.0, low: 1.0, close: 1.0, known_at };
/// // Three bars of an old file played into Redis now: the bar times are not the wall clock.
/// let candles = [bar(0, 100.0), bar(3600, 101.0), bar(7200, 102.0)];
/// let at = |t: &str| Record::of(fields(&[("last_update_epoch", t)]));
/// let got = aligned(&candles, &[at("99"), at("100.5"), at("101"), at("500")]);
/// assert_eq!(got, [None, Some(0), Some(1), Some(2)]);
/// ```
pub fn aligned(candles: &[LiveCandle], proposals: &[Record]) -> Vec<Option<usize>> {
    let mut known = Vec::with_capacity(candles.len());
    let mut run = f64::NEG_INFINITY;
    for c in candles {
        if c.known_at.is_finite() {
            run = run.max(c.known_at);
        }
        known.push(run);
    }
    proposals
        .iter()
        .map(|r| {
            let t = record_time(r)?;
            known.partition_point(|k| *k <= t).checked_sub(1)
        })
        .collect()
}

/// What a symbol's chart was sent: its candles (oldest first, one per open time, at most
/// [`CHART_BARS`]) and its proposals (by time, at most [`CHART_PROPOSALS`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SymbolChart {
    /// The symbol.
    pub symbol: String,
    /// The candle key the server reads (`None`: no key holds candles yet).
    pub key: Option<String>,
    /// The bars.
    pub candles: Vec<LiveCandle>,
    /// The proposals.
    pub proposals: Vec<Record>,
    /// The server's Redis status.
    pub status: String,
    /// Events applied (a view's key).
    pub updates: u64,
}

/// One event of a chart's stream, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartEvent {
    /// Everything at once (it replaces the chart).
    Chart {
        /// The symbol.
        symbol: String,
        /// The candle key read.
        key: Option<String>,
        /// The bars, oldest first.
        candles: Vec<LiveCandle>,
        /// The proposals, oldest first.
        proposals: Vec<Record>,
        /// The server's Redis status.
        status: String,
    },
    /// A new bar, or the newest bar changed.
    Bar(LiveCandle),
    /// A new proposal of the symbol.
    Proposal(Record),
    /// The server's connection to Redis changed.
    Status(String),
}

/// The chart stream's event names.
pub const CHART_EVENTS: [&str; 4] = ["chart", "bar", "proposal", "status"];

#[derive(Deserialize)]
struct ChartIn {
    symbol: String,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    candles: Vec<LiveCandle>,
    #[serde(default)]
    proposals: Vec<Record>,
    #[serde(default)]
    status: String,
}

/// The `chart` event's JSON (the server writes it once per change and shares it).
#[derive(Serialize)]
pub struct ChartOut<'a> {
    /// The symbol.
    pub symbol: &'a str,
    /// The candle key read.
    pub key: Option<&'a str>,
    /// The bars, oldest first.
    pub candles: &'a [LiveCandle],
    /// The proposals, oldest first.
    pub proposals: Vec<&'a Record>,
    /// The server's Redis status.
    pub status: &'a str,
}

/// Parses a chart stream event by its SSE name (one of [`CHART_EVENTS`]) and data.
///
/// # Errors
/// [`EventError`](super::EventError) naming the event, or an unknown name.
///
/// ```
/// use harvest_features::live::chart::{parse_chart_event, ChartEvent};
/// let bar = r#"{"time": 60, "open": 1, "high": 2, "low": 0.5, "close": 1.5, "known_at": 120}"#;
/// assert!(matches!(parse_chart_event("bar", bar).unwrap(), ChartEvent::Bar(c) if c.close == 1.5));
/// assert!(parse_chart_event("bar", "{}").is_err());
/// assert!(parse_chart_event("other", "{}").is_err());
/// ```
pub fn parse_chart_event(name: &str, data: &str) -> Result<ChartEvent, super::EventError> {
    use super::EventError;
    fn json<'a, T: Deserialize<'a>>(name: &'static str, data: &'a str) -> Result<T, EventError> {
        serde_json::from_str(data).map_err(|source| EventError::Data { name, source })
    }
    match name {
        "chart" => {
            let c: ChartIn = json("chart", data)?;
            Ok(ChartEvent::Chart {
                symbol: c.symbol,
                key: c.key,
                candles: c.candles,
                proposals: c.proposals,
                status: c.status,
            })
        }
        "bar" => json("bar", data).map(ChartEvent::Bar),
        "proposal" => json("proposal", data).map(ChartEvent::Proposal),
        "status" => {
            #[derive(Deserialize)]
            struct S {
                status: String,
            }
            json::<S>("status", data).map(|s| ChartEvent::Status(s.status))
        }
        other => Err(EventError::Unknown(other.to_string())),
    }
}

impl SymbolChart {
    /// An empty chart of `symbol`.
    pub fn new(symbol: &str) -> SymbolChart {
        SymbolChart {
            symbol: symbol.to_string(),
            status: "connecting".to_string(),
            ..SymbolChart::default()
        }
    }

    /// Takes a bar: a new open time is added in order (the oldest dropped past [`CHART_BARS`]),
    /// a known one replaced (the newest bar is rewritten as it forms). A bar without `known_at`
    /// gets its open time plus the spacing. Returns whether anything changed.
    ///
    /// ```
    /// use harvest_features::live::chart::{LiveCandle, SymbolChart};
    /// let bar = |time, close| LiveCandle { time, open: 1.0, high: 2.0, low: 0.5, close, known_at: f64::NAN };
    /// let mut c = SymbolChart::new("BTCUSDT");
    /// assert!(c.push_bar(bar(60, 1.5)));
    /// assert!(c.push_bar(bar(120, 1.0)));
    /// assert!(!c.push_bar(c.candles[1]));
    /// assert!(c.push_bar(bar(120, 1.2)));
    /// assert_eq!((c.candles.len(), c.candles[1].close, c.candles[1].known_at), (2, 1.2, 180.0));
    /// ```
    pub fn push_bar(&mut self, mut bar: LiveCandle) -> bool {
        if !bar.known_at.is_finite() {
            let gap = spacing(&self.candles);
            bar.known_at = (bar.time + gap) as f64;
        }
        let at = self.candles.partition_point(|c| c.time < bar.time);
        match self.candles.get(at) {
            Some(c) if c.time == bar.time => {
                if *c == bar {
                    return false;
                }
                self.candles[at] = bar;
            }
            _ => self.candles.insert(at, bar),
        }
        if self.candles.len() > CHART_BARS {
            let extra = self.candles.len() - CHART_BARS;
            self.candles.drain(..extra);
        }
        true
    }

    /// Takes a proposal in time order (one with the time and fields of the last is not taken
    /// again). Returns whether it was taken.
    pub fn push_proposal(&mut self, r: Record) -> bool {
        let t = record_time(&r);
        if let Some(last) = self.proposals.last() {
            if record_time(last) == t && last.fields.get("R_net") == r.fields.get("R_net") {
                return false;
            }
        }
        let in_order = |t: f64| {
            self.proposals
                .last()
                .and_then(record_time)
                .is_none_or(|last| last <= t)
        };
        let at = match t {
            // The usual case (a stream read in order): at the end, nothing else read.
            Some(t) if !in_order(t) => self
                .proposals
                .partition_point(|p| record_time(p).is_none_or(|pt| pt <= t)),
            _ => self.proposals.len(),
        };
        self.proposals.insert(at, r);
        if self.proposals.len() > CHART_PROPOSALS {
            let extra = self.proposals.len() - CHART_PROPOSALS;
            self.proposals.drain(..extra);
        }
        true
    }

    /// Applies one event; returns whether the chart changed. A `chart` event for another
    /// symbol is ignored.
    pub fn apply(&mut self, ev: ChartEvent) -> bool {
        let changed = match ev {
            ChartEvent::Chart {
                symbol,
                key,
                candles,
                proposals,
                status,
            } => {
                if symbol != self.symbol {
                    return false;
                }
                self.key = key;
                self.status = status;
                self.candles.clear();
                self.proposals.clear();
                let mut candles = candles;
                candles.sort_by_key(|c| c.time);
                for c in candles {
                    self.push_bar(c);
                }
                for p in proposals {
                    self.push_proposal(p);
                }
                true
            }
            ChartEvent::Bar(c) => self.push_bar(c),
            ChartEvent::Proposal(r) => {
                r.symbol().is_none_or(|s| s == self.symbol) && self.push_proposal(r)
            }
            ChartEvent::Status(s) => {
                let changed = s != self.status;
                self.status = s;
                changed
            }
        };
        if changed {
            self.updates += 1;
        }
        changed
    }

    /// The `chart` event's JSON of what is kept.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&ChartOut {
            symbol: &self.symbol,
            key: self.key.as_deref(),
            candles: &self.candles,
            proposals: self.proposals.iter().collect(),
            status: &self.status,
        })
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_records::fields::fields;

    #[test]
    fn members_as_the_caches_write_them() {
        let ok = |m: &str, score: Option<f64>| candle_of(m, score).unwrap();
        // (member, score, time, open, high, low, close, known_at)
        let cases: &[(&str, Option<f64>, [f64; 6])] = &[
            // harvest feed / layer1's market.klines payload.
            (
                r#"{"symbol": "X", "open": 10.0, "high": 12.0, "low": 9.0, "close": 11.0, "open_time": 1700000000000, "close_time": 1700000059999, "timestamp": 1700000060.5}"#,
                Some(1.7e12),
                [1_700_000_000.0, 10.0, 12.0, 9.0, 11.0, 1_700_000_060.5],
            ),
            // Short names, text numbers, seconds, no write time: the close time.
            (
                r#"{"t": 1700000000, "o": "10", "h": "12", "l": "9", "c": "11", "close_time": 1700000059999}"#,
                None,
                [1_700_000_000.0, 10.0, 12.0, 9.0, 11.0, 1_700_000_060.0],
            ),
            // Only a close: a flat bar at the score's time.
            (
                r#"{"close": 5}"#,
                Some(1_700_000_000_000.0),
                [1_700_000_000.0, 5.0, 5.0, 5.0, 5.0, f64::NAN],
            ),
            // High and low that do not hold the body are widened.
            (
                r#"{"open": 10, "high": 10.5, "low": 10.2, "close": 11, "t": 60}"#,
                None,
                [60.0, 10.0, 11.0, 10.0, 11.0, f64::NAN],
            ),
            (
                " 7.25\n",
                Some(120.0),
                [120.0, 7.25, 7.25, 7.25, 7.25, f64::NAN],
            ),
        ];
        for (m, score, want) in cases {
            let c = ok(m, *score);
            let got = [c.time as f64, c.open, c.high, c.low, c.close, c.known_at];
            for (g, w) in got.iter().zip(want) {
                assert!(
                    g == w || (g.is_nan() && w.is_nan()),
                    "{m}: {got:?} != {want:?}"
                );
            }
        }
        let bad: &[(&str, Option<f64>, &str)] = &[
            ("abc", Some(1.0), "a candle needs JSON with close"),
            (
                r#"{"open": 1, "t": 1}"#,
                None,
                "a candle needs JSON with close",
            ),
            (
                r#"{"close": 0, "t": 1}"#,
                None,
                "candle close \"0\" is not a price",
            ),
            (r#"{"close": 1, "high": "x", "t": 1}"#, None, "candle high"),
            ("NaN", Some(1.0), "candle close \"NaN\""),
            (r#"{"close": 1}"#, None, "a candle needs an open time"),
        ];
        for (m, score, want) in bad {
            let e = candle_of(m, *score).unwrap_err().to_string();
            assert!(e.starts_with(want), "{m}: {e}");
        }
    }

    fn rec(t: &str, r_net: &str) -> Record {
        Record::of(fields(&[
            ("symbol", "BTCUSDT"),
            ("computed_at_utc", t),
            ("R_net", r_net),
        ]))
    }

    #[test]
    fn events_build_the_chart_in_order_and_capped() {
        let bar = |time: i64| LiveCandle {
            time,
            open: 1.0,
            high: 2.0,
            low: 0.5,
            close: 1.5,
            known_at: time as f64 + 60.0,
        };
        let mut c = SymbolChart::new("BTCUSDT");
        let chart = ChartEvent::Chart {
            symbol: "BTCUSDT".into(),
            key: Some("candles:BTCUSDT:1m".into()),
            candles: vec![bar(120), bar(0), bar(60)],
            proposals: vec![
                rec("2026-01-01T00:00:02", "1"),
                rec("2026-01-01T00:00:01", "0"),
            ],
            status: "connected".into(),
        };
        let json = parse_chart_event("chart", &{
            let mut s = SymbolChart::new("BTCUSDT");
            s.apply(chart.clone());
            s.to_json()
        })
        .unwrap();
        // The JSON round trip gives the same chart.
        let mut again = SymbolChart::new("BTCUSDT");
        again.apply(json);
        assert!(c.apply(chart));
        assert_eq!(again.candles, c.candles);
        assert_eq!(again.proposals, c.proposals);
        let times: Vec<i64> = c.candles.iter().map(|b| b.time).collect();
        assert_eq!(times, [0, 60, 120]);
        assert_eq!(c.proposals[0].fields["R_net"], "0");
        // Another symbol's chart or proposal is not this one's.
        let other = ChartEvent::Chart {
            symbol: "ETHUSDT".into(),
            key: None,
            candles: vec![],
            proposals: vec![],
            status: String::new(),
        };
        assert!(!c.apply(other));
        let mut eth = rec("2026-01-01T00:00:03", "2");
        eth.fields.insert("symbol".into(), "ETHUSDT".into());
        assert!(!c.apply(ChartEvent::Proposal(eth)));
        // The same proposal twice (stream and hash) is taken once.
        assert!(c.apply(ChartEvent::Proposal(rec("2026-01-01T00:00:03", "2"))));
        assert!(!c.apply(ChartEvent::Proposal(rec("2026-01-01T00:00:03", "2"))));
        assert_eq!(c.proposals.len(), 3);
        for k in 0..(CHART_BARS as i64 + 5) {
            c.apply(ChartEvent::Bar(bar(180 + 60 * k)));
        }
        assert_eq!(c.candles.len(), CHART_BARS);
        assert_eq!(
            c.candles.last().unwrap().time,
            180 + 60 * (CHART_BARS as i64 + 4)
        );
        assert!(c.apply(ChartEvent::Status("Redis lost".into())));
        assert!(!c.apply(ChartEvent::Status("Redis lost".into())));
        for (name, data) in [("chart", "{}"), ("proposal", "[1]"), ("status", "{}")] {
            let e = parse_chart_event(name, data).unwrap_err().to_string();
            assert!(e.starts_with(&format!("{name} event: ")), "{e}");
        }
    }

    #[test]
    fn proposals_go_on_the_bar_known_when_they_were_computed() {
        let bar = |time, known_at| LiveCandle {
            time,
            open: 1.0,
            high: 1.0,
            low: 1.0,
            close: 1.0,
            known_at,
        };
        // History written at once at 1000 (same write time), then a bar a second.
        let candles = [
            bar(0, 1000.0),
            bar(3600, 1000.0),
            bar(7200, 1001.0),
            bar(10800, f64::NAN),
            bar(14400, 1003.0),
        ];
        let at = |t: f64| Record::of(fields(&[("last_update_epoch", &t.to_string())]));
        let cases = [
            (999.9, None),
            (1000.0, Some(1)),
            (1000.9, Some(1)),
            (1001.0, Some(3)), // a bar without a write time counts once the one before it is known
            (1002.5, Some(3)),
            (1003.0, Some(4)),
            (9e9, Some(4)),
        ];
        let props: Vec<Record> = cases.iter().map(|(t, _)| at(*t)).collect();
        let want: Vec<Option<usize>> = cases.iter().map(|(_, w)| *w).collect();
        assert_eq!(aligned(&candles, &props), want);
        // A record without any time is on no bar.
        assert_eq!(aligned(&candles, &[Record::default()]), [None]);
    }
}
