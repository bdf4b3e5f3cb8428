//! The browser side of the event streams: an `EventSource` whose named events are parsed and
//! handed on; the browser reconnects by itself. The Live table's stream ([`connect`]: `snapshot`,
//! `proposal`, `removed`, `policy`, `status`) lives as long as the page; a chart's
//! ([`connect_chart`]: `chart`, `bar`, `proposal`, `status`) as long as its [`Stream`].

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use harvest_features::live::chart::{parse_chart_event, ChartEvent, CHART_EVENTS};
use harvest_features::live::{parse_event, EventError, LiveEvent, EVENTS};

/// An open event stream: closed, and its listeners freed, when dropped.
pub struct Stream {
    source: web_sys::EventSource,
    _listeners: Vec<Closure<dyn Fn(web_sys::MessageEvent)>>,
    _status: [Closure<dyn Fn(web_sys::Event)>; 2],
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Opens the stream at `url` with its event `names` read by `parse`; `on_event` gets every
/// parsed event, `on_open` is called when the connection opens (again), `on_problem` gets a
/// message for an unreadable event or a lost connection.
fn open<E: 'static>(
    url: &str,
    names: &'static [&'static str],
    parse: fn(&str, &str) -> Result<E, EventError>,
    on_event: impl Fn(E) + Clone + 'static,
    on_open: impl Fn() + 'static,
    on_problem: impl Fn(String) + Clone + 'static,
) -> Option<Stream> {
    let Ok(source) = web_sys::EventSource::new(url) else {
        on_problem(format!(
            "The browser could not open the live stream at {url}."
        ));
        return None;
    };
    let mut listeners = Vec::with_capacity(names.len());
    for &name in names {
        let (on_event, on_problem) = (on_event.clone(), on_problem.clone());
        let cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let data = ev.data().as_string().unwrap_or_default();
            match parse(name, &data) {
                Ok(e) => on_event(e),
                Err(e) => on_problem(e.to_string()),
            }
        });
        let _ = source.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        listeners.push(cb);
    }
    let opened = Closure::<dyn Fn(web_sys::Event)>::new(move |_| on_open());
    source.set_onopen(Some(opened.as_ref().unchecked_ref()));
    let lost = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        on_problem(
            "The connection to harvest serve was lost; the browser is reconnecting.".to_string(),
        );
    });
    source.set_onerror(Some(lost.as_ref().unchecked_ref()));
    Some(Stream {
        source,
        _listeners: listeners,
        _status: [opened, lost],
    })
}

/// Opens the Live table's stream at `url` for as long as the page lives.
pub fn connect(
    url: &str,
    on_event: impl Fn(LiveEvent) + Clone + 'static,
    on_problem: impl Fn(String) + Clone + 'static,
) {
    let on_open = on_event.clone();
    let stream = open(
        url,
        &EVENTS,
        parse_event,
        on_event,
        move || on_open(LiveEvent::Status("connected".to_string())),
        on_problem,
    );
    std::mem::forget(stream);
}

/// Opens a symbol's chart stream at `url`; it is closed when the returned [`Stream`] is dropped.
pub fn connect_chart(
    url: &str,
    on_event: impl Fn(ChartEvent) + Clone + 'static,
    on_problem: impl Fn(String) + Clone + 'static,
) -> Option<Stream> {
    let on_open = on_event.clone();
    open(
        url,
        &CHART_EVENTS,
        parse_chart_event,
        on_event,
        move || on_open(ChartEvent::Status("connected".to_string())),
        on_problem,
    )
}
