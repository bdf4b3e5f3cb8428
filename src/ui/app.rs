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

    // The reviewer and tuning views are built (and, in split builds, downloaded) the first
    // time they are shown, then kept.
    let want_review = Memo::new(move |prev: Option<&bool>| {
        prev.copied().unwrap_or(false) || nav.view.get() == View::Review
    });
    let want_tune = Memo::new(move |prev: Option<&bool>| {
        prev.copied().unwrap_or(false) || nav.view.get() == View::Tune
    });
    // Set once a view's chunk is in and the view is built.
    let review_ready = RwSignal::new(false);
    let tune_ready = RwSignal::new(false);
    let loading = move || match nav.view.get() {
        View::Review if !review_ready.get() => Some("Loading the reviewer…"),
        View::Tune if !tune_ready.get() => Some("Loading the tuning view…"),
        _ => None,
    };
    // A record opened from the reviewer (so the reviewer's chunk is there already).
    let has_opened = Memo::new(move |_| nav.opened.with(Option::is_some));

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
                    {move || has_opened.get().then(|| Suspend::new(load_reviewed()))}
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
            {move || {
                want_review
                    .get()
                    .then(|| Suspend::new(async move {
                        let v = load_review().await;
                        review_ready.set(true);
                        v
                    }))
            }}
            {move || {
                want_tune
                    .get()
                    .then(|| Suspend::new(async move {
                        let v = load_tune().await;
                        tune_ready.set(true);
                        v
                    }))
            }}
            <footer class="foot">
                "Harvest Lab "
                {crate::kernel::KERNEL_VERSION}
                " · proposals, never orders · everything runs in this page"
            </footer>
        </main>
    }
}

/// A view chunk that could not be downloaded.
#[derive(Debug)]
pub struct ChunkError;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(review_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn review_view() -> Result<AnyView, ChunkError> {
    Ok(view! { <ReviewPage /> }.into_any())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(review_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn reviewed_view() -> Result<AnyView, ChunkError> {
    Ok(view! { <ReviewedRecord /> }.into_any())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(tune_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn tune_view() -> Result<AnyView, ChunkError> {
    Ok(view! { <TuningView /> }.into_any())
}

async fn load_review() -> AnyView {
    #[cfg(feature = "split")]
    let r = review_view().await;
    #[cfg(not(feature = "split"))]
    let r = review_view();
    r.unwrap_or_else(|_| chunk_failed("reviewer", View::Review))
}

async fn load_reviewed() -> AnyView {
    #[cfg(feature = "split")]
    let r = reviewed_view().await;
    #[cfg(not(feature = "split"))]
    let r = reviewed_view();
    r.unwrap_or_else(|_| chunk_failed("reviewed record", View::Explorer))
}

async fn load_tune() -> AnyView {
    #[cfg(feature = "split")]
    let r = tune_view().await;
    #[cfg(not(feature = "split"))]
    let r = tune_view();
    r.unwrap_or_else(|_| chunk_failed("tuning view", View::Tune))
}

fn chunk_failed(what: &'static str, view: View) -> AnyView {
    let nav = Nav::get();
    view! {
        <p class="card notice" data-testid="error" role="alert" hidden=move || nav.view.get() != view>
            "The " {what} " could not be downloaded. Check the connection and reload the page."
        </p>
    }
    .into_any()
}
