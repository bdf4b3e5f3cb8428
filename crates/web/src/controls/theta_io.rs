//! Theta export and import: a closed `<details>` in the explorer whose content
//! ([`super::theta_io_body::ThetaIoBody`]) is mounted the first time it is opened, from its own
//! wasm chunk in split builds: most visitors never open it, so the explorer's download does not
//! carry it (about 4 KB gzipped, BENCHMARKS.md).

use leptos::prelude::*;

use crate::app::ChunkError;
use crate::controls::theta_io_body::ThetaIoBody;

/// Export / import of the tunables, loaded on first opening.
#[component]
pub fn ThetaIo() -> impl IntoView {
    let owner = Owner::current();
    let body: NodeRef<leptos::html::Div> = NodeRef::new();
    // None: not asked for; Some(None): loading; Some(Some(ok)): done.
    let load = RwSignal::new(None::<Option<bool>>);
    let open = move |_| {
        if load.get_untracked().is_some() {
            return;
        }
        let (Some(el), Some(owner)) = (body.get_untracked(), owner.clone()) else {
            return;
        };
        load.set(Some(None));
        leptos::task::spawn_local(async move {
            #[cfg(feature = "split")]
            let done = mount_theta_io(el.into(), owner).await;
            #[cfg(not(feature = "split"))]
            let done = mount_theta_io(el.into(), owner);
            load.set(Some(Some(done.is_ok())));
        });
    };
    view! {
        <details class="theta-io">
            <summary on:click=open>"Export / import theta (JSON)"</summary>
            <div node_ref=body></div>
            <p class="hint" role="status" hidden=move || load.get() != Some(None)>
                "Loading…"
            </p>
            <p class="err" role="alert" data-testid="theta-io-error" hidden=move || load.get() != Some(Some(false))>
                "The export / import box could not be downloaded: reload the page to try again."
            </p>
        </details>
    }
}

/// Mounts the box's content into `parent` under `owner` (whose contexts it uses).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(theta_io_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_theta_io(parent: web_sys::HtmlElement, owner: Owner) -> Result<(), ChunkError> {
    owner.with(|| leptos::mount::mount_to(parent, ThetaIoBody).forget());
    Ok(())
}
