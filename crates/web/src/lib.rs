//! The Leptos dashboard (wasm32 only): inputs on the left, the kernel's proposal and its
//! explanation on the right, everything recomputed on every `input` event.
//!
//! State lives in one signal owned by [`App`] (see `context::Ctx`); derived values are memos;
//! the pure parts (URL encoding, validation of fields, formatting) are in [`harvest_features::explorer`].
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

mod app;
pub mod browser;
mod charts;
mod context;
mod controls;
mod explorer;
mod hooks;
mod live;
mod nav;
mod parts;
mod replay;
mod research;
mod reviewer;
mod tuning;

pub use app::App;

/// Mounts the app on `<body>`.
///
/// The panic hook prints a panic's message in the console in debug builds. The release build
/// (scripts/lib.sh, `-Cpanic=immediate-abort`) aborts on a panic without formatting anything, so
/// there the hook never runs and the console shows `RuntimeError: unreachable`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
