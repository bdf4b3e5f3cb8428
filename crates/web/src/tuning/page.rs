//! The tuning view: one `<section>` that gets the sliders and the main column as static HTML
//! while the view shows (and is emptied when it hides: nothing is computed for a hidden view);
//! effects keep the dynamic parts in step with the state; one listener per event kind handles
//! every control (`data-act` names a button's action, `data-field` a slider).

use leptos::prelude::*;

use crate::context::Ctx;
use crate::nav::Nav;
use crate::tuning::ab::AbState;
use crate::tuning::context::TuneCtx;
use crate::tuning::map::MapState;
use crate::tuning::tuner::{closest_attr, target, testid, Tuner};
use harvest_features::nav::View;
use harvest_features::tuning::view::{main_html, map_axis, pick_axis, sliders_html, SetChoice};
use harvest_features::tuning::ThetaFormat;

/// The whole tuning view (hidden unless the URL says `?view=tune`).
#[component]
pub fn TuningView() -> impl IntoView {
    let nav = Nav::get();
    let t = Tuner {
        ctx: Ctx::get(),
        tc: TuneCtx::new(),
        nav,
        root: NodeRef::new(),
        map: MapState::new(),
        sens_pending: StoredValue::new(false),
        ab: AbState::new(),
        format: StoredValue::new(ThetaFormat::Json),
    };
    let (ctx, tc) = (t.ctx, t.tc);
    let active = move || nav.view.get() == View::Tune;
    let shown = Memo::new(move |_| active());

    // Shown: the content, then everything filled in; hidden: emptied. (Every effect reads the
    // rest untracked: it reruns only for what it names.)
    Effect::new(move |_| {
        let on = shown.get();
        let Some(root) = t.root.get() else { return };
        untrack(|| {
            if !on {
                root.set_inner_html("");
                return;
            }
            root.set_inner_html(&format!(
                "<div class=\"tune-layout\"><div class=\"tune-side\">{}</div><div class=\"tune-main\">{}</div></div>",
                sliders_html(),
                main_html()
            ));
            t.sliders_fill();
            t.map_show_axes();
            t.map_schedule();
            t.sens_schedule();
            t.robustness();
            t.ab_controls();
            t.ab_update(false);
            t.sets_list();
            let problems = tc.set_problems.get_untracked();
            if !problems.is_empty() {
                t.say(false, "", &problems);
            }
        });
    });
    // The point or theta moved: sliders, coarse map now (refined later), curves, sentences.
    Effect::new(move |_| {
        ctx.shown.track();
        ctx.state.track();
        if shown.get_untracked() {
            untrack(|| {
                t.sliders_fill();
                t.map_changed();
                t.sens_schedule();
                t.robustness();
            });
        }
    });
    // Axes or theme: the dropdowns and a repaint.
    Effect::new(move |_| {
        tc.axes.track();
        ctx.dark.track();
        if shown.get_untracked() {
            untrack(|| {
                t.map_show_axes();
                t.map_schedule();
                t.sens_schedule();
            });
        }
    });
    // A/B: A pinned or not, the set, theta B, the reviewer's records.
    Effect::new(move |prev: Option<()>| {
        tc.pinned.track();
        tc.set_choice.track();
        ctx.state.track();
        if let Some(rc) = nav.review.get() {
            rc.version.track();
        }
        if shown.get_untracked() {
            untrack(|| {
                t.ab_controls();
                t.sliders_fill();
                t.ab_update(prev.is_some() && tc.pinned.with_untracked(Option::is_some));
            });
        }
    });
    // The saved sets' list.
    Effect::new(move |_| {
        tc.sets.track();
        if shown.get_untracked() {
            untrack(|| t.sets_list());
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        if shown.get_untracked() {
            t.map_schedule();
            t.sens_schedule();
        }
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
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(el) =
            target(&ev).filter(|e| e.get_attribute("type").as_deref() == Some("range"))
        {
            if let Some(key) = el.get_attribute("data-field") {
                t.slider_set(&key, &event_target_value(&ev), false);
            }
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let value = || event_target_value(&ev);
        let id = testid(&ev).unwrap_or_default();
        match id.as_str() {
            "map-x" | "map-y" => {
                if let Some(a) = map_axis(&value()) {
                    tc.axes.update(|ax| *ax = pick_axis(*ax, id == "map-x", a));
                }
            }
            "ab-set" => {
                if let Some(c) = SetChoice::from_key(&value()) {
                    tc.set_choice.set(c);
                }
            }
            "theta-set-list" => {
                if let Some(name) = t.find::<web_sys::HtmlInputElement>("theta-set-name") {
                    name.set_value(&value());
                }
            }
            "theta-import-file" => t.sets_file(&ev),
            _ if id.ends_with("-number") => {
                if let Some(key) = target(&ev).and_then(|e| e.get_attribute("data-field")) {
                    t.slider_set(&key, &value(), true);
                }
            }
            _ => {}
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Enter" {
            return;
        }
        let id = testid(&ev).unwrap_or_default();
        if id == "theta-set-name" {
            t.sets_act("save");
        } else if id.ends_with("-number") {
            if let Some(key) = target(&ev).and_then(|e| e.get_attribute("data-field")) {
                t.slider_set(&key, &event_target_value(&ev), true);
            }
        }
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let over = testid(&ev).as_deref() == Some("action-map");
        t.map_hover(over.then(|| (f64::from(ev.offset_x()), f64::from(ev.offset_y()))));
    };
    view! {
        <section
            node_ref=t.root
            data-testid="tuning-view"
            class="tune"
            hidden=move || !shown.get()
            aria-label="Theta tuning"
            on:click=on_click
            on:input=on_input
            on:change=on_change
            on:keydown=on_key
            on:mousemove=on_move
            on:mouseleave=move |_| t.map_hover(None)
        ></section>
    }
}
