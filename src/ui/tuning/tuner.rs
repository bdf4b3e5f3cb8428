//! The tuning view's main column: [`main_html`] once, then effects that fill in its dynamic
//! parts and one listener per event kind on the column (`data-act` names a button's action).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::tuning::ThetaFormat;
use crate::tuning_view::{main_html, map_axis, pick_axis, status_html, SetChoice};
use crate::ui::context::Ctx;
use crate::ui::reviewer::ReviewCtx;
use crate::ui::tuning::ab::AbState;
use crate::ui::tuning::context::TuneCtx;
use crate::ui::tuning::map::MapState;

/// Everything the column's behaviour needs; `Copy`, so deferred callbacks can hold it.
#[derive(Clone, Copy)]
pub struct Tuner {
    /// The explorer's state.
    pub ctx: Ctx,
    /// The tuning view's own state.
    pub tc: TuneCtx,
    /// The reviewer (its loaded records are an A/B position set).
    pub rc: Option<ReviewCtx>,
    /// The column.
    pub root: NodeRef<leptos::html::Div>,
    /// The action map's buffers and timers.
    pub map: MapState,
    /// Whether a sensitivity repaint is pending (also: whether the column is still mounted).
    pub sens_pending: StoredValue<bool>,
    /// The A/B comparison's positions and debounce timer.
    pub ab: AbState,
    /// The format of the last export (for Download).
    pub format: StoredValue<ThetaFormat>,
}

impl Tuner {
    /// The element with `data-testid=id` in the column, as `T`.
    pub fn find<T: JsCast>(self, id: &str) -> Option<T> {
        self.root
            .get_untracked()?
            .query_selector(&format!("[data-testid=\"{id}\"]"))
            .ok()
            .flatten()?
            .dyn_into::<T>()
            .ok()
    }

    /// Whether the column is still mounted (deferred callbacks may outlive it).
    pub fn alive(self) -> bool {
        self.sens_pending.try_get_value().is_some()
    }

    /// Shows the theta sets' status line (and an import's problems).
    pub fn say(self, ok: bool, msg: &str, problems: &[String]) {
        if let Some(el) = self.find::<web_sys::Element>("theta-status") {
            el.set_inner_html(&status_html(ok, msg, problems));
        }
    }
}

/// The event's target element.
fn target(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()
}

/// An attribute of the target's closest element that has it.
fn closest_attr(ev: &web_sys::Event, attr: &str) -> Option<String> {
    target(ev)?
        .closest(&format!("[{attr}]"))
        .ok()
        .flatten()?
        .get_attribute(attr)
}

fn testid(ev: &web_sys::Event) -> Option<String> {
    target(ev)?.get_attribute("data-testid")
}

/// The main column: map, robustness and sensitivity, A/B, theta sets.
#[component]
pub fn TunePanel() -> impl IntoView {
    let t = Tuner {
        ctx: Ctx::get(),
        tc: TuneCtx::get(),
        rc: use_context::<ReviewCtx>(),
        root: NodeRef::new(),
        map: MapState::new(),
        sens_pending: StoredValue::new(false),
        ab: AbState::new(),
        format: StoredValue::new(ThetaFormat::Json),
    };
    let (ctx, tc) = (t.ctx, t.tc);
    // The point or theta moved: coarse map now, refined later; curves and sentences follow.
    Effect::new(move |prev: Option<()>| {
        ctx.shown.track();
        if t.root.get().is_none() {
            return;
        }
        if prev.is_some() {
            t.map_changed();
        }
        t.sens_schedule();
        t.robustness();
    });
    // Axes or theme: show the axes in the dropdowns and repaint.
    Effect::new(move |_| {
        tc.axes.track();
        ctx.dark.track();
        if t.root.get().is_some() {
            t.map_show_axes();
            t.map_schedule();
            t.sens_schedule();
        }
    });
    // A/B: A pinned or not, the set, theta B, the reviewer's records.
    Effect::new(move |prev: Option<()>| {
        tc.pinned.track();
        tc.set_choice.track();
        ctx.state.track();
        if let Some(rc) = t.rc {
            rc.version.track();
        }
        if t.root.get().is_some() {
            t.ab_controls();
            t.ab_update(prev.is_some() && tc.pinned.with_untracked(Option::is_some));
        }
    });
    // The saved sets' list; what their loading reported.
    Effect::new(move |_| {
        tc.sets.track();
        if t.root.get().is_some() {
            t.sets_list();
        }
    });
    Effect::new(move |_| {
        if t.root.get().is_some() {
            let problems = tc.set_problems.get_untracked();
            if !problems.is_empty() {
                t.say(false, "", &problems);
            }
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        t.map_schedule();
        t.sens_schedule();
    });
    on_cleanup(move || resize.remove());

    let on_click = move |ev: leptos::ev::MouseEvent| match closest_attr(&ev, "data-act").as_deref()
    {
        Some("open") => {
            if let Some(i) = closest_attr(&ev, "data-index").and_then(|i| i.parse().ok()) {
                t.ab_open(i);
            }
        }
        Some("pin") => tc.pinned.set(Some(ctx.state.with_untracked(|s| s.theta))),
        Some("unpin") => tc.pinned.set(None),
        Some("reset-b") => {
            if let Some(a) = tc.pinned.get_untracked() {
                ctx.state.update(|s| s.theta = a);
            }
        }
        Some(act) => t.sets_act(act),
        None if testid(&ev).as_deref() == Some("action-map") => {
            t.map_click(f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        }
        None => {}
    };
    let on_change = move |ev: leptos::ev::Event| {
        let value = || event_target_value(&ev);
        match testid(&ev).as_deref() {
            Some(id @ ("map-x" | "map-y")) => {
                if let Some(a) = map_axis(&value()) {
                    tc.axes.update(|ax| *ax = pick_axis(*ax, id == "map-x", a));
                }
            }
            Some("ab-set") => {
                if let Some(c) = SetChoice::from_key(&value()) {
                    tc.set_choice.set(c);
                }
            }
            Some("theta-set-list") => {
                if let Some(name) = t.find::<web_sys::HtmlInputElement>("theta-set-name") {
                    name.set_value(&value());
                }
            }
            Some("theta-import-file") => t.sets_file(&ev),
            _ => {}
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && testid(&ev).as_deref() == Some("theta-set-name") {
            t.sets_act("save");
        }
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let over = testid(&ev).as_deref() == Some("action-map");
        t.map_hover(over.then(|| (f64::from(ev.offset_x()), f64::from(ev.offset_y()))));
    };
    view! {
        <div
            class="tune-main"
            node_ref=t.root
            inner_html=main_html()
            on:click=on_click
            on:change=on_change
            on:keydown=on_key
            on:mousemove=on_move
            on:mouseleave=move |_| t.map_hover(None)
        ></div>
    }
}
