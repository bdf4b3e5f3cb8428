//! [`Tuner`]: what the tuning view's behaviour needs, shared by its parts (`sliders`, `map`,
//! `sens`, `ab`, `sets`), and the event helpers of [`super::page`].

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::context::Ctx;
use crate::nav::Nav;
use crate::reviewer::ReviewCtx;
use crate::tuning::ab::AbState;
use crate::tuning::context::TuneCtx;
use crate::tuning::map::MapState;
use harvest_features::tuning::view::status_html;
use harvest_features::tuning::ThetaFormat;

/// Everything the column's behaviour needs; `Copy`, so deferred callbacks can hold it.
#[derive(Clone, Copy)]
pub struct Tuner {
    /// The explorer's state.
    pub ctx: Ctx,
    /// The tuning view's own state.
    pub tc: TuneCtx,
    /// The views' shared state (the reviewer's loaded records are an A/B position set).
    pub nav: Nav,
    /// The view's `<section>` (its content exists only while the view shows).
    pub root: NodeRef<leptos::html::Section>,
    /// The action map's buffers and timers.
    pub map: MapState,
    /// Whether a sensitivity repaint is pending.
    pub sens_pending: StoredValue<bool>,
    /// The A/B comparison's positions and debounce timer.
    pub ab: AbState,
    /// The format of the last export (for Download).
    pub format: StoredValue<ThetaFormat>,
}

impl Tuner {
    /// The reviewer, if its view was built.
    pub fn review(self) -> Option<ReviewCtx> {
        self.nav.review.get_untracked()
    }

    /// The element with `data-testid=id` in the view, as `T` (`None` while the view is hidden).
    pub fn find<T: JsCast>(self, id: &str) -> Option<T> {
        self.root
            .get_untracked()?
            .query_selector(&format!("[data-testid=\"{id}\"]"))
            .ok()
            .flatten()?
            .dyn_into::<T>()
            .ok()
    }

    /// Whether the view's content is there (deferred callbacks may outlive it).
    pub fn alive(self) -> bool {
        self.sens_pending.try_get_value().is_some()
            && self
                .root
                .get_untracked()
                .is_some_and(|r| r.child_element_count() > 0)
    }

    /// Shows the theta sets' status line (and an import's problems).
    pub fn say(self, ok: bool, msg: &str, problems: &[String]) {
        if let Some(el) = self.find::<web_sys::Element>("theta-status") {
            el.set_inner_html(&status_html(ok, msg, problems));
        }
    }
}

/// The event's target element.
pub fn target(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()
}

/// An attribute of the target's closest element that has it.
pub fn closest_attr(ev: &web_sys::Event, attr: &str) -> Option<String> {
    target(ev)?
        .closest(&format!("[{attr}]"))
        .ok()
        .flatten()?
        .get_attribute(attr)
}

/// The target's `data-testid`.
pub fn testid(ev: &web_sys::Event) -> Option<String> {
    target(ev)?.get_attribute("data-testid")
}
