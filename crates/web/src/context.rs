//! The one shared context: the state signal owned by `App` and the memos derived from it.

use leptos::prelude::*;

use harvest_features::explorer::UiState;
use harvest_kernel::{
    flip_points, propose, Evaluation, FlipPoint, HarvestInput, KernelError, Proposal,
};

/// The proposal on screen and what it was computed from: the last input the kernel accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// The input.
    pub input: HarvestInput,
    /// `kernel::propose(&input)`.
    pub proposal: Proposal,
    /// `kernel::evaluate` on the same input (break-even level, stop distance, …).
    pub eval: Evaluation,
}

/// Small and `Copy`: every component takes it with [`Ctx::get`].
#[derive(Clone, Copy)]
pub struct Ctx {
    /// Inputs, theta and the selected preset.
    pub state: RwSignal<UiState>,
    /// The kernel input the state describes.
    pub input: Memo<HarvestInput>,
    /// The kernel's answer for it (an error while the input or theta is invalid).
    pub result: Memo<Result<Proposal, KernelError>>,
    /// The last valid proposal (stays on screen, marked stale, while `result` is an error).
    pub shown: Memo<Option<Shown>>,
    /// "What flips it" for the shown input.
    pub flips: Memo<Vec<FlipPoint>>,
    /// Every theta problem at once, for the inline errors.
    pub theta_errors: Memo<Vec<KernelError>>,
    /// Notices for the user (an unreadable link or saved state, an import that failed, …).
    pub notices: RwSignal<Vec<String>>,
    /// Whether the page is in the dark theme (prefers-color-scheme).
    pub dark: RwSignal<bool>,
}

impl Ctx {
    /// Builds the signals and memos and provides the context.
    pub fn provide(initial: UiState, notices: Vec<String>, dark: bool) -> Ctx {
        let state = RwSignal::new(initial);
        let input = Memo::new(move |_| state.with(UiState::to_input));
        let result = Memo::new(move |_| input.with(propose));
        let shown = Memo::new(move |prev: Option<&Option<Shown>>| {
            result.with(|r| match r {
                Ok(p) => input.with(|i| {
                    Some(Shown {
                        input: i.clone(),
                        proposal: p.clone(),
                        eval: i.evaluate(),
                    })
                }),
                Err(_) => prev.cloned().flatten(),
            })
        });
        let flips = Memo::new(move |_| {
            shown.with(|s| {
                s.as_ref()
                    .map(|s| flip_points(&s.input))
                    .unwrap_or_default()
            })
        });
        let theta_errors = Memo::new(move |_| state.with(|s| s.theta.validate_all()));
        let ctx = Ctx {
            state,
            input,
            result,
            shown,
            flips,
            theta_errors,
            notices: RwSignal::new(notices),
            dark: RwSignal::new(dark),
        };
        provide_context(ctx);
        ctx
    }

    /// The context provided by `App`.
    pub fn get() -> Ctx {
        // Only missing if a component is mounted outside `App`: a programming error.
        expect_context::<Ctx>()
    }

    /// Applies `f` to a copy of the state and stores it only if `f` succeeds (else its message).
    pub fn try_edit<E: std::fmt::Display>(
        &self,
        f: impl FnOnce(&mut UiState) -> Result<(), E>,
    ) -> Result<(), String> {
        let mut s = self.state.get_untracked();
        f(&mut s).map_err(|e| e.to_string())?;
        self.state.set(s);
        Ok(())
    }

    /// Whether the proposal on screen is stale (the current input is invalid).
    pub fn stale(&self) -> bool {
        self.result.with(|r| r.is_err())
    }

    /// Adds a notice (once).
    pub fn notify(&self, msg: String) {
        self.notices.update(|n| {
            if !n.contains(&msg) {
                n.push(msg);
            }
        });
    }
}
