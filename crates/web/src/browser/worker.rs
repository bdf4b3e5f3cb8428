//! A Web Worker that takes and sends text: started from a script of this origin, every message
//! a string both ways, its failures (the script not found, an uncaught error or a trap inside
//! it) turned into one line of text. Terminated when dropped.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// A running worker and its two handlers (kept alive as long as it is).
pub struct TextWorker {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

/// Why a worker stopped, from its `error` event: an uncaught error inside it has a message
/// (`Uncaught RuntimeError: unreachable`); a script that could not be loaded has none.
fn error_text(e: &web_sys::Event) -> String {
    match e.dyn_ref::<web_sys::ErrorEvent>() {
        Some(e) if !e.message().is_empty() => e.message(),
        _ => "its script could not be loaded".to_string(),
    }
}

impl TextWorker {
    /// Starts the worker of `url` (relative to the page): `on_message` gets each text it posts,
    /// `on_error` why it stopped (it will post nothing more).
    ///
    /// # Errors
    /// The browser refused to start it (no Worker API, or the URL not allowed), as text.
    pub fn start(
        url: &str,
        mut on_message: impl FnMut(String) + 'static,
        mut on_error: impl FnMut(String) + 'static,
    ) -> Result<TextWorker, String> {
        let worker = web_sys::Worker::new(url).map_err(|e| super::js_text(&e))?;
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                on_message(e.data().as_string().unwrap_or_default());
            });
        let handle = worker.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            // Handled here: not reported again as an error of the page.
            e.prevent_default();
            handle.terminate();
            on_error(error_text(&e));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(TextWorker {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Posts `text` to the worker.
    ///
    /// # Errors
    /// The browser could not send it, as text.
    pub fn post(&self, text: &str) -> Result<(), String> {
        self.worker
            .post_message(&JsValue::from_str(text))
            .map_err(|e| super::js_text(&e))
    }

    /// Stops the worker at once; it posts nothing more.
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

impl Drop for TextWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
