//! `App`: owns the state, restores it (URL, then localStorage, then defaults), keeps the URL and
//! storage in step with it, and lays the panels out.

use std::time::Duration;

use leptos::prelude::*;

use crate::review_view::View;
use crate::state::decode;
use crate::ui::browser;
use crate::ui::context::Ctx;
use crate::ui::controls::Presets;
use crate::ui::nav::Nav;
use crate::ui::panels::{
    ChartsPanel, Flips, MarketPanel, Notices, P1Panel, PositionPanel, ProposalJson, Reasons,
    Summary, ThetaPanel, Toolbar,
};
use crate::ui::reviewer::{ReviewPage, ReviewedRecord, ViewTabs};
use crate::ui::tuning::TuningView;

/// How long the URL and storage wait after the last change (browsers throttle `replaceState`).
const PERSIST_DELAY: Duration = Duration::from_millis(150);

/// The dashboard.
#[component]
pub fn App() -> impl IntoView {
    let (initial, _source, notices) = browser::initial_state();
    let ctx = Ctx::provide(initial, notices, browser::prefers_dark());
    // Which view shows (`?view=review`, `?view=tune`) and what passes between the views.
    let nav = Nav::provide(ctx.state);

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
    let review_slot = NodeRef::new();
    let tune_slot = NodeRef::new();
    let reviewed_slot = NodeRef::new();
    let review = load_into(
        review_slot,
        owner.clone(),
        move || nav.view.get() == View::Review,
        chunk!(mount_review),
    );
    let tune = load_into(
        tune_slot,
        owner.clone(),
        move || nav.view.get() == View::Tune,
        chunk!(mount_tune),
    );
    let reviewed = load_into(
        reviewed_slot,
        owner,
        move || nav.opened.with(Option::is_some),
        chunk!(mount_reviewed),
    );
    let status = move || match nav.view.get() {
        View::Review => Some(("reviewer", review.get())),
        View::Tune => Some(("tuning view", tune.get())),
        View::Explorer => {
            (reviewed.get() == Load::Failed).then_some(("reviewed record", Load::Failed))
        }
    };
    let loading = move || {
        status().and_then(|(what, l)| (l == Load::Waiting).then(|| format!("Loading the {what}…")))
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
                    <div class="chunk-slot" node_ref=reviewed_slot></div>
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
            <div class="chunk-slot" node_ref=review_slot></div>
            <div class="chunk-slot" node_ref=tune_slot></div>
            <footer class="foot">
                "Harvest Lab "
                {crate::kernel::KERNEL_VERSION}
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
    /// Not asked for yet, or downloading.
    Waiting,
    /// Mounted.
    Ready,
    /// The chunk could not be downloaded.
    Failed,
}

/// A split point as an async call: `chunk!(f)(parent, owner)` downloads `f`'s chunk if needed
/// (split builds) and calls it.
macro_rules! chunk {
    ($f:ident) => {
        |parent: web_sys::HtmlElement, owner: Owner| {
            #[cfg(feature = "split")]
            let r = $f(parent, owner);
            #[cfg(not(feature = "split"))]
            let r = std::future::ready($f(parent, owner));
            r
        }
    };
}
use chunk;

/// The first time `wanted()` is true (and `slot` exists), calls `mount(slot, owner)`; the
/// returned signal says how that went.
fn load_into<Fut>(
    slot: NodeRef<leptos::html::Div>,
    owner: Option<Owner>,
    wanted: impl Fn() -> bool + Send + Sync + 'static,
    mount: impl Fn(web_sys::HtmlElement, Owner) -> Fut + Send + Sync + 'static,
) -> RwSignal<Load>
where
    Fut: std::future::Future<Output = Result<(), ChunkError>> + 'static,
{
    let status = RwSignal::new(Load::Waiting);
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if started.get_value() || !wanted() {
            return;
        }
        let (Some(el), Some(owner)) = (slot.get(), owner.clone()) else {
            return;
        };
        started.set_value(true);
        let done = mount(wasm_bindgen::JsCast::unchecked_into(el), owner);
        leptos::task::spawn_local(async move {
            status.set(if done.await.is_ok() {
                Load::Ready
            } else {
                Load::Failed
            });
        });
    });
    status
}

// The split points: each mounts its part under `owner` (whose contexts it uses) and keeps it.

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(review_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_review(parent: web_sys::HtmlElement, owner: Owner) -> Result<(), ChunkError> {
    owner.with(|| leptos::mount::mount_to(parent, ReviewPage).forget());
    Ok(())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(review_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_reviewed(parent: web_sys::HtmlElement, owner: Owner) -> Result<(), ChunkError> {
    owner.with(|| leptos::mount::mount_to(parent, ReviewedRecord).forget());
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
