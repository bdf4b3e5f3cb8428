//! The tuning view's own state, owned by [`TuningView`](super::TuningView) (always mounted) so
//! it outlives switching views: the map's axes, the pinned theta A, the A/B position set and the
//! saved theta sets.

use leptos::prelude::*;

use crate::browser;
use harvest_features::tuning::view::{SetChoice, ThetaSets, DEFAULT_AXES, THETA_SETS_KEY};
use harvest_kernel::{Axis, Theta};

/// Small and `Copy`.
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
    /// Builds the state (reading the saved theta sets).
    pub fn new() -> TuneCtx {
        let (sets, problems) =
            ThetaSets::parse(&browser::storage_get(THETA_SETS_KEY).unwrap_or_default());
        TuneCtx {
            axes: RwSignal::new(DEFAULT_AXES),
            pinned: RwSignal::new(None),
            set_choice: RwSignal::new(SetChoice::default()),
            sets: RwSignal::new(sets),
            set_problems: RwSignal::new(problems),
        }
    }

    /// Replaces the saved sets and writes them to localStorage; false if storage refused.
    pub fn store_sets(&self, sets: ThetaSets) -> bool {
        let ok = browser::storage_set(THETA_SETS_KEY, &sets.to_storage());
        self.sets.set(sets);
        ok
    }
}
