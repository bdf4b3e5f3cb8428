//! The parts of the page that are wasm chunks of their own in split builds (cargo feature
//! `split`, README "Code splitting"): each [`Part`] is mounted the first time it is wanted, from
//! its chunk (downloaded then), and kept; [`LazyPart`] is its slot in the page and [`Parts`]
//! says where each one is (the view's status line reads it).
//!
//! The split points are the `mount_*` functions below (`#[wasm_split]` from Leptos's
//! `wasm_split_helpers`, the crate behind its `#[lazy]`); without the feature (native builds,
//! `cargo test`, the browser tests) they are plain functions.

use leptos::prelude::*;

use crate::controls::ThetaIoBox;
use crate::live::{LivePage, LiveTab};
use crate::reviewer::{ReviewPage, ReviewedRecord};
use crate::tuning::TuningView;

/// A part of the page that comes from a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The reviewer's view.
    Review,
    /// The tuning view.
    Tune,
    /// The explorer's panel for a record opened from the reviewer.
    Reviewed,
    /// The Live view (and its tab).
    Live,
    /// The Replay view.
    Replay,
    /// The explorer's theta export / import box.
    ThetaIo,
    /// The Replay view's Research panel.
    Research,
}

impl Part {
    /// Every part.
    pub const ALL: [Part; 7] = [
        Part::Review,
        Part::Tune,
        Part::Reviewed,
        Part::Live,
        Part::Replay,
        Part::ThetaIo,
        Part::Research,
    ];

    /// What the part is, in a sentence ("Loading the reviewer…").
    pub fn name(self) -> &'static str {
        match self {
            Part::Review => "reviewer",
            Part::Tune => "tuning view",
            Part::Reviewed => "reviewed record",
            Part::Live => "live view",
            Part::Replay => "replay view",
            Part::ThetaIo => "export / import box",
            Part::Research => "research panel",
        }
    }

    /// Mounts the part into `parent` under `owner` (whose contexts it uses), downloading its
    /// chunk first in split builds; the Live view's tab goes into `live_tab`.
    async fn mount(
        self,
        parent: web_sys::HtmlElement,
        owner: Owner,
        live_tab: Option<web_sys::HtmlSpanElement>,
    ) -> Result<(), ChunkError> {
        #[cfg(feature = "split")]
        let done = match self {
            Part::Review | Part::Reviewed => {
                mount_review(self == Part::Reviewed, parent, owner).await
            }
            Part::Tune => mount_tune(parent, owner).await,
            Part::Live => mount_live(parent, live_tab, owner).await,
            Part::Replay => mount_replay(parent, owner).await,
            Part::ThetaIo => mount_theta_io(parent, owner).await,
            Part::Research => mount_research(parent, owner).await,
        };
        #[cfg(not(feature = "split"))]
        let done = match self {
            Part::Review | Part::Reviewed => mount_review(self == Part::Reviewed, parent, owner),
            Part::Tune => mount_tune(parent, owner),
            Part::Live => mount_live(parent, live_tab, owner),
            Part::Replay => mount_replay(parent, owner),
            Part::ThetaIo => mount_theta_io(parent, owner),
            Part::Research => mount_research(parent, owner),
        };
        done
    }
}

/// Where a part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// Not asked for yet.
    Idle,
    /// Downloading.
    Waiting,
    /// Mounted.
    Ready,
    /// The chunk could not be downloaded.
    Failed,
}

/// A part's chunk that could not be downloaded.
#[derive(Debug)]
pub struct ChunkError;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// Where every part is, shared by the page (small and `Copy`).
#[derive(Clone, Copy)]
pub struct Parts {
    loads: RwSignal<Vec<(Part, Load)>>,
    /// The topbar's slot for the Live view's tab (mounted with the Live view's chunk).
    pub live_tab: NodeRef<leptos::html::Span>,
}

impl Parts {
    /// Provides the context: every part idle.
    pub fn provide() -> Parts {
        let parts = Parts {
            loads: RwSignal::new(Part::ALL.iter().map(|&p| (p, Load::Idle)).collect()),
            live_tab: NodeRef::new(),
        };
        provide_context(parts);
        parts
    }

    /// The context provided by `App`.
    pub fn get() -> Parts {
        expect_context::<Parts>()
    }

    /// Where `part` is (tracked).
    pub fn load(&self, part: Part) -> Load {
        self.loads.track();
        self.load_untracked(part)
    }

    fn load_untracked(&self, part: Part) -> Load {
        self.loads.with_untracked(|l| {
            l.iter()
                .find(|(p, _)| *p == part)
                .map_or(Load::Idle, |(_, s)| *s)
        })
    }

    fn set(&self, part: Part, load: Load) {
        self.loads.update(|l| {
            if let Some(e) = l.iter_mut().find(|(p, _)| *p == part) {
                e.1 = load;
            }
        });
    }
}

/// The slot of `part`: mounted there, once, the first time `when` is true.
#[component]
pub fn LazyPart(
    /// Which part.
    part: Part,
    /// Whether it is wanted now.
    #[prop(into)]
    when: Signal<bool>,
) -> impl IntoView {
    let parts = Parts::get();
    let slot = NodeRef::<leptos::html::Div>::new();
    let owner = Owner::current();
    Effect::new(move |_| {
        if !when.get() || parts.load_untracked(part) != Load::Idle {
            return;
        }
        let (Some(el), Some(owner)) = (slot.get(), owner.clone()) else {
            return;
        };
        parts.set(part, Load::Waiting);
        // Read now: the task below runs outside any reactive owner.
        let live_tab = parts.live_tab.get_untracked();
        leptos::task::spawn_local(async move {
            let done = part.mount(el.into(), owner, live_tab).await;
            parts.set(
                part,
                if done.is_ok() {
                    Load::Ready
                } else {
                    Load::Failed
                },
            );
        });
    });
    view! { <div class="chunk-slot" node_ref=slot></div> }
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
fn mount_live(
    parent: web_sys::HtmlElement,
    tab: Option<web_sys::HtmlSpanElement>,
    owner: Owner,
) -> Result<(), ChunkError> {
    owner.with(|| {
        if let Some(tab) = tab {
            leptos::mount::mount_to(tab.into(), LiveTab).forget();
        }
        leptos::mount::mount_to(parent, LivePage).forget();
    });
    Ok(())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(replay_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_replay(parent: web_sys::HtmlElement, owner: Owner) -> Result<(), ChunkError> {
    owner.with(|| leptos::mount::mount_to(parent, crate::replay::ReplayView).forget());
    Ok(())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(theta_io_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_theta_io(parent: web_sys::HtmlElement, owner: Owner) -> Result<(), ChunkError> {
    owner.with(|| {
        leptos::mount::mount_to(
            parent,
            || view! { <ThetaIoBox name=Signal::stored(String::new()) /> },
        )
        .forget()
    });
    Ok(())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(research_chunk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount_research(parent: web_sys::HtmlElement, owner: Owner) -> Result<(), ChunkError> {
    owner.with(|| leptos::mount::mount_to(parent, crate::research::ResearchPanel).forget());
    Ok(())
}
