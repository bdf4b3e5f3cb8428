//! The explorer's theta export / import: a closed `<details>` whose box ([`ThetaIoBox`]) is a
//! lazily loaded part ([`Part::ThetaIo`]): mounted the first time it is opened, from its own wasm
//! chunk in split builds (most visitors never open it).
//!
//! [`ThetaIoBox`]: super::theta_io_box::ThetaIoBox

use leptos::prelude::*;

use crate::parts::{LazyPart, Load, Part, Parts};

/// Export / import of the tunables, loaded on first opening.
#[component]
pub fn ThetaIo() -> impl IntoView {
    let parts = Parts::get();
    let opened = RwSignal::new(false);
    view! {
        <details class="theta-io">
            <summary on:click=move |_| opened.set(true)>"Export / import theta"</summary>
            <LazyPart part=Part::ThetaIo when=opened />
            <p class="hint" role="status" hidden=move || parts.load(Part::ThetaIo) != Load::Waiting>
                "Loading…"
            </p>
            <p class="err" role="alert" data-testid="theta-io-error" hidden=move || parts.load(Part::ThetaIo) != Load::Failed>
                "The export / import box could not be downloaded: reload the page to try again."
            </p>
        </details>
    }
}
