//! `App`: owns the state, restores it (URL, then localStorage, then defaults), keeps the URL and
//! storage in step with it, and lays the panels out.

use std::time::Duration;

use leptos::prelude::*;

use crate::browser;
use crate::context::Ctx;
use crate::controls::Presets;
use crate::explorer::{
    ChartsPanel, Flips, MarketPanel, Notices, P1Panel, PositionPanel, ProposalJson, Reasons,
    Summary, ThetaPanel, Toolbar,
};
use crate::live::{LivePage, LiveTab};
use crate::nav::Nav;
use crate::reviewer::{ReviewPage, ReviewedRecord, ViewTabs};
use crate::tuning::TuningView;
use harvest_features::explorer::decode;
use harvest_features::reviewer::View;

/// How long the URL and storage wait after the last change (browsers throttle `replaceState`).
const PERSIST_DELAY: Duration = Duration::from_millis(150);

/// The dashboard.
#[component]
pub fn App() -> impl IntoView {
    let (initial, _source, notices) = browser::initial_state();
    let ctx = Ctx::provide(initial, notices, browser::prefers_dark());
    // Which view shows (`?view=review`, `?view=tune`) and what passes between the views.
    let nav = Nav::provide(ctx.state);
    // `?view=live` on a page without a live stream (a static host): the explorer.
    if nav.view.get_untracked() == View::Live && crate::live::live_url().is_none() {
        nav.view.set(View::Explorer);
    }

    // URL hash + localStorage follow the state, debounced.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        ctx.state.track();
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            move || {
                pending.set_value(None);
                ctx.state.with_untracked(browser::persist);
            },
            PERSIST_DELAY,
        )
        .ok();
        pending.set_value(h);
    });

    // A link pasted into this tab (only the hash changed): load it.
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        let hash = browser::location_hash();
        let d = decode(&hash);
        if !d.problems.is_empty() {
            ctx.notify(format!(
                "This link could not be read completely, so the parts below use their defaults: {}.",
                d.problems.join("; ")
            ));
        }
        if ctx.state.with_untracked(|s| *s != d.state) {
            ctx.state.set(d.state);
        }
    });

    browser::on_color_scheme_change(move |dark| ctx.dark.set(dark));

    // The reviewer and tuning views are mounted (and, in split builds, downloaded) the first
    // time they are shown, then kept; so is the reviewed-record panel when a record is opened.
    let owner = Owner::current();
    let slots: [NodeRef<leptos::html::Div>; 4] = std::array::from_fn(|_| NodeRef::new());
    let loads = RwSignal::new([Load::Idle; 4]);
    Effect::new(move |_| {
        let view = nav.view.get();
        let wanted = [
            view == View::Review,
            view == View::Tune,
            nav.opened.with(Option::is_some),
            view == View::Live,
        ];
        for (i, part) in PARTS.into_iter().enumerate() {
            if !wanted[i] || loads.with_untracked(|l| l[i] != Load::Idle) {
                continue;
            }
            let (Some(el), Some(owner)) = (slots[i].get(), owner.clone()) else {
                continue;
            };
            loads.update(|l| l[i] = Load::Waiting);
            leptos::task::spawn_local(async move {
                let done = mount_part(part, wasm_bindgen::JsCast::unchecked_into(el), owner).await;
                loads.update(|l| {
                    l[i] = if done.is_ok() {
                        Load::Ready
                    } else {
                        Load::Failed
                    }
                });
            });
        }
    });
    // One line under the tabs while a view's chunk downloads, or if it could not be.
    let status = move || {
        let l = loads.get();
        match nav.view.get() {
            View::Review => Some(("reviewer", l[0])),
            View::Tune => Some(("tuning view", l[1])),
            View::Live => Some(("live view", l[3])),
            View::Explorer => (l[2] == Load::Failed).then_some(("reviewed record", Load::Failed)),
        }
    };
    let loading = move || {
        status().and_then(|(what, l)| {
            matches!(l, Load::Idle | Load::Waiting).then(|| format!("Loading the {what}…"))
        })
    };
    let failed = move || {
        status().and_then(|(what, l)| {
            (l == Load::Failed).then(|| {
                format!(
                    "The {what} could not be downloaded. Check the connection and reload the page."
                )
            })
        })
    };

    view! {
        <main data-testid="app" class="app">
            <header class="topbar">
                <div class="brand">
                    <h1>"Harvest Lab"</h1>
                    <p class="tagline">
                        "The P2 harvest kernel, live: move an input, see the proposal."
                    </p>
                </div>
                <ViewTabs />
                <LiveTab />
                <Toolbar />
            </header>
            <Notices />
            <div class="layout" hidden=move || nav.view.get() != View::Explorer>
                <section class="inputs" aria-label="Inputs">
                    <Presets />
                    <PositionPanel />
                    <MarketPanel />
                    <P1Panel />
                    <ThetaPanel />
                </section>
                <section class="outputs" aria-label="Outputs">
                    <div class="chunk-slot" node_ref=slots[2]></div>
                    <Summary />
                    <Reasons />
                    <ChartsPanel />
                    <Flips />
                    <ProposalJson />
                </section>
            </div>
            <p class="card view-loading" data-testid="view-loading" role="status" hidden=move || loading().is_none()>
                {loading}
            </p>
            <p class="card notice" data-testid="view-error" role="alert" hidden=move || failed().is_none()>
                {failed}
            </p>
            <div class="chunk-slot" node_ref=slots[0]></div>
            <div class="chunk-slot" node_ref=slots[1]></div>
            <div class="chunk-slot" node_ref=slots[3]></div>
            <footer class="foot">
                "Harvest Lab "
                {harvest_kernel::KERNEL_VERSION}
                " · proposals, never orders · everything runs in this page"
            </footer>
        </main>
    }
}

/// A view chunk that could not be downloaded.
pub struct ChunkError;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// Where a part of the page that comes from a chunk is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Load {
    /// Not asked for yet.
    Idle,
    /// Downloading.
    Waiting,
    /// Mounted.
    Ready,
    /// The chunk could not be downloaded.
    Failed,
}

/// The parts of the page that come from chunks, in the order of `App`'s slots.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The reviewer's view.
    Review,
    /// The tuning view.
    Tune,
    /// The explorer's panel for a record opened from the reviewer.
    Reviewed,
    /// The Live view.
    Live,
}
const PARTS: [Part; 4] = [Part::Review, Part::Tune, Part::Reviewed, Part::Live];

/// Mounts `part` into `parent` under `owner` (whose contexts it uses), downloading its chunk
/// first in split builds.
async fn mount_part(
    part: Part,
    parent: web_sys::HtmlElement,
    owner: Owner,
) -> Result<(), ChunkError> {
    let reviewed = part == Part::Reviewed;
    #[cfg(feature = "split")]
    let done = match part {
        Part::Tune => mount_tune(parent, owner).await,
        Part::Live => mount_live(parent, owner).await,
        _ => mount_review(reviewed, parent, owner).await,
    };
    #[cfg(not(feature = "split"))]
    let done = match part {
        Part::Tune => mount_tune(parent, owner),
        Part::Live => mount_live(parent, owner),
        _ => mount_review(reviewed, parent, owner),
    };
    done
}

// The split points: each mounts its part and keeps it.

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(review_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_review(
    reviewed: bool,
    parent: web_sys::HtmlElement,
    owner: Owner,
) -> Result<(), ChunkError> {
    owner.with(|| {
        if reviewed {
            leptos::mount::mount_to(parent, ReviewedRecord).forget();
        } else {
            leptos::mount::mount_to(parent, ReviewPage).forget();
        }
    });
    Ok(())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(tune_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_tune(parent: web_sys::HtmlElement, owner: Owner) -> Result<(), ChunkError> {
    owner.with(|| leptos::mount::mount_to(parent, TuningView).forget());
    Ok(())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(live_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_live(parent: web_sys::HtmlElement, owner: Owner) -> Result<(), ChunkError> {
    owner.with(|| leptos::mount::mount_to(parent, LivePage).forget());
    Ok(())
}
