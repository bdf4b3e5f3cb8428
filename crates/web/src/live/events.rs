//! The browser side of the event stream: an `EventSource` whose `snapshot`, `proposal`,
//! `removed`, `policy` and `status` events are parsed ([`parse_event`]) and handed on; the
//! browser reconnects by itself.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use harvest_features::live::{parse_event, LiveEvent, EVENTS};

/// Opens the stream at `url`; `on_event` gets every parsed event, `on_problem` a message for
/// an unreadable event or a lost connection. Lives as long as the page.
pub fn connect(
    url: &str,
    on_event: impl Fn(LiveEvent) + Clone + 'static,
    on_problem: impl Fn(String) + Clone + 'static,
) {
    let Ok(source) = web_sys::EventSource::new(url) else {
        on_problem(format!(
            "The browser could not open the live stream at {url}."
        ));
        return;
    };
    for name in EVENTS {
        let (on_event, on_problem) = (on_event.clone(), on_problem.clone());
        let cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let data = ev.data().as_string().unwrap_or_default();
            match parse_event(name, &data) {
                Ok(e) => on_event(e),
                Err(e) => on_problem(e.to_string()),
            }
        });
        let _ = source.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        cb.forget();
    }
    let on_open = on_event.clone();
    let open = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        on_open(LiveEvent::Status("connected".to_string()));
    });
    source.set_onopen(Some(open.as_ref().unchecked_ref()));
    open.forget();
    let lost = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        on_problem(
            "The connection to harvest serve was lost; the browser is reconnecting.".to_string(),
        );
    });
    source.set_onerror(Some(lost.as_ref().unchecked_ref()));
    lost.forget();
}
