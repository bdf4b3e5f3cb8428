//! The tuning view's own state, provided by [`TuningView`](super::TuningView) so it outlives
//! switching views: the map's axes, the pinned theta A, the A/B position set and the saved
//! theta sets.

use leptos::prelude::*;

use crate::kernel::{Axis, Theta};
use crate::tuning_view::{SetChoice, ThetaSets, DEFAULT_AXES, THETA_SETS_KEY};
use crate::ui::browser;

/// Small and `Copy`: components take it with [`TuneCtx::get`].
#[derive(Clone, Copy)]
pub struct TuneCtx {
    /// The action map's (x, y) axes.
    pub axes: RwSignal<(Axis, Axis)>,
    /// Theta A, once pinned (the explorer's theta is then B).
    pub pinned: RwSignal<Option<Theta>>,
    /// The positions A and B are compared on.
    pub set_choice: RwSignal<SetChoice>,
    /// The saved theta sets (mirrored in localStorage).
    pub sets: RwSignal<ThetaSets>,
    /// Saved sets that could not be read when the page loaded.
    pub set_problems: RwSignal<Vec<String>>,
}

impl TuneCtx {
    /// Builds the context (reading the saved theta sets) and provides it.
    pub fn provide() -> TuneCtx {
        let (sets, problems) =
            ThetaSets::parse(&browser::storage_get(THETA_SETS_KEY).unwrap_or_default());
        let tc = TuneCtx {
            axes: RwSignal::new(DEFAULT_AXES),
            pinned: RwSignal::new(None),
            set_choice: RwSignal::new(SetChoice::default()),
            sets: RwSignal::new(sets),
            set_problems: RwSignal::new(problems),
        };
        provide_context(tc);
        tc
    }

    /// The context provided by `TuningView`.
    pub fn get() -> TuneCtx {
        // Only missing if a component is mounted outside `TuningView`: a programming error.
        expect_context::<TuneCtx>()
    }

    /// Replaces the saved sets and writes them to localStorage; false if storage refused.
    pub fn store_sets(&self, sets: ThetaSets) -> bool {
        let ok = browser::storage_set(THETA_SETS_KEY, &sets.to_storage());
        self.sets.set(sets);
        ok
    }
}
