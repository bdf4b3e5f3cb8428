//! [`TuneCtx`]: the tuning view's own state, owned by [`TuningView`](super::TuningView) (always
//! mounted once built) so it outlives switching views: the map's axes, the pinned theta A, the
//! A/B position set, the saved theta sets and the theta sets' status line.

use leptos::prelude::*;

use crate::browser;
use crate::controls::Status;
use harvest_features::tuning::ab_view::SetChoice;
use harvest_features::tuning::axes::DEFAULT_AXES;
use harvest_features::tuning::theta_sets::{ThetaSets, THETA_SETS_KEY};
use harvest_kernel::{Axis, Theta};

/// Small and `Copy`: every part of the view takes it with [`TuneCtx::get`].
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
    /// The theta sets' status line; at first, the saved sets that could not be read.
    pub status: RwSignal<Option<Status>>,
}

impl TuneCtx {
    /// Builds the state (reading the saved theta sets) and provides it.
    pub fn provide() -> TuneCtx {
        let (sets, problems) =
            ThetaSets::parse(&browser::storage_get(THETA_SETS_KEY).unwrap_or_default());
        let tc = TuneCtx {
            axes: RwSignal::new(DEFAULT_AXES),
            pinned: RwSignal::new(None),
            set_choice: RwSignal::new(SetChoice::default()),
            sets: RwSignal::new(sets),
            status: RwSignal::new((!problems.is_empty()).then(|| Status {
                ok: false,
                msg: String::new(),
                problems,
            })),
        };
        provide_context(tc);
        tc
    }

    /// The state provided by the tuning view.
    pub fn get() -> TuneCtx {
        // Only missing if a part is mounted outside `TuningView`: a programming error.
        expect_context::<TuneCtx>()
    }

    /// Replaces the saved sets and writes them to localStorage; false if storage refused.
    pub fn store_sets(&self, sets: ThetaSets) -> bool {
        let ok = browser::storage_set(THETA_SETS_KEY, &sets.to_storage());
        self.sets.set(sets);
        ok
    }

    /// Shows `msg` (and `problems`) in the theta sets' status line.
    pub fn say(&self, ok: bool, msg: impl Into<String>, problems: Vec<String>) {
        self.status.set(Some(Status {
            ok,
            msg: msg.into(),
            problems,
        }));
    }
}
