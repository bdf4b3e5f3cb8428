//! Files and downloads: a file chosen or dropped, read as text or a slice at a time (the one
//! chunked reader every job uses: [`Chunks`]), and a same-origin `fetch`. None of it panics.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Bytes read at a time by [`Chunks`].
pub const CHUNK_BYTES: usize = 1 << 20;

/// Why a browser call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserError {
    /// Not in a page (no `window`).
    #[error("no window")]
    NoWindow,
    /// The server answered with an error status.
    #[error("HTTP {status} for {url}")]
    Http {
        /// The status, e.g. 404.
        status: u16,
        /// The address asked for.
        url: String,
    },
    /// `fetch` resolved to something that is not a `Response`.
    #[error("no response")]
    NoResponse,
    /// The browser refused, with its own message (e.g. a file that can no longer be read).
    #[error("{0}")]
    Refused(String),
}

fn js_err(e: JsValue) -> BrowserError {
    BrowserError::Refused(super::js_text(&e))
}

/// Bytes `start..end` of a file.
///
/// # Errors
/// [`BrowserError::Refused`] when the browser cannot read the file (moved, changed, gone).
pub async fn read_slice(
    blob: &web_sys::Blob,
    start: f64,
    end: f64,
) -> Result<Vec<u8>, BrowserError> {
    let part = blob.slice_with_f64_and_f64(start, end).map_err(js_err)?;
    let buf = JsFuture::from(part.array_buffer()).await.map_err(js_err)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// GETs a same-origin URL (relative to the page) and returns the body.
///
/// # Errors
/// [`BrowserError::Http`] for an error status, [`BrowserError::Refused`] when the request
/// failed (offline, blocked), the others outside a normal page.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, BrowserError> {
    let w = web_sys::window().ok_or(BrowserError::NoWindow)?;
    let resp = JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(js_err)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| BrowserError::NoResponse)?;
    if !resp.ok() {
        return Err(BrowserError::Http {
            status: resp.status(),
            url: url.to_string(),
        });
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// The files of a drop or a file input, in order.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// What a job reads: a file chosen or dropped (its size as it was then), or bytes in memory (a
/// fetched sample, pasted text).
pub enum Source {
    /// A picked or dropped file.
    File(web_sys::File),
    /// Bytes already read.
    Bytes(Vec<u8>),
}

impl Source {
    /// Its size in bytes.
    pub fn size(&self) -> f64 {
        match self {
            Source::File(f) => f.size(),
            Source::Bytes(b) => b.len() as f64,
        }
    }
}

/// Reads a [`Source`] [`CHUNK_BYTES`] at a time: every job that reads a file (the reviewer's
/// loads, the Replay view's price files) goes through it.
pub struct Chunks {
    src: Source,
    size: f64,
    offset: f64,
}

impl Chunks {
    /// A reader at the start of `src`.
    pub fn new(src: Source) -> Chunks {
        Chunks {
            size: src.size(),
            src,
            offset: 0.0,
        }
    }

    /// The source's size, bytes.
    pub fn size(&self) -> f64 {
        self.size
    }

    /// Bytes read so far.
    pub fn offset(&self) -> f64 {
        self.offset
    }

    /// The next chunk; `None` at the end (also when a file shrank since it was picked: what was
    /// read is then all of it).
    ///
    /// # Errors
    /// [`BrowserError::Refused`] when the browser cannot read the file (moved, changed, gone).
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, BrowserError> {
        if self.offset >= self.size {
            return Ok(None);
        }
        let end = (self.offset + CHUNK_BYTES as f64).min(self.size);
        let bytes = match &self.src {
            Source::File(f) => read_slice(f, self.offset, end).await?,
            Source::Bytes(b) => b
                .get(self.offset as usize..end as usize)
                .map(<[u8]>::to_vec)
                .unwrap_or_default(),
        };
        if bytes.is_empty() {
            self.offset = self.size;
            return Ok(None);
        }
        self.offset += bytes.len() as f64;
        Ok(Some(bytes))
    }
}

/// Why a chosen file could not be read (the message is shown in the view's status line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReadFileError {
    /// No `FileReader` in this browser.
    #[error("this browser cannot read files")]
    NoReader,
    /// The read failed or gave no text.
    #[error("the file could not be read as text")]
    NotText,
}

/// Reads a file chosen in an `<input type=file>` as text and calls `done` with it (or why not).
pub fn read_file_text(
    file: web_sys::File,
    done: impl FnOnce(Result<String, ReadFileError>) + 'static,
) {
    let Ok(reader) = web_sys::FileReader::new() else {
        done(Err(ReadFileError::NoReader));
        return;
    };
    let r = reader.clone();
    let onload = Closure::once_into_js(move || {
        let text = r.result().ok().and_then(|v| v.as_string());
        done(text.ok_or(ReadFileError::NotText));
    });
    reader.set_onloadend(Some(onload.unchecked_ref()));
    let _ = reader.read_as_text(&file);
}
