//! The reviewer's events, handled once at the view's root: controls name what they do with
//! `data-act` (and `data-value` / `data-batch`), rows carry `data-batch` / `data-index`.
//! One handler per event type instead of one per control keeps the wasm small (see
//! `review_view::html`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::reviewer::context::ReviewCtx;
use crate::reviewer::io;
use crate::reviewer::jobs::Job;
use harvest_features::explorer::parse_number;
use harvest_features::reviewer::{verdict_from_str, ActionFilter, Column, Filter, View};
use harvest_kernel::{HarvestAction, ReasonCode, Tolerance};

/// Id of the absolute tolerance box.
pub const TOL_ABS_ID: &str = "review-tol-abs";
/// Id of the relative tolerance box.
pub const TOL_REL_ID: &str = "review-tol-rel";
/// Id of the paste box.
pub const PASTE_ID: &str = "review-paste";
/// Id of the symbol filter.
pub const SYMBOL_ID: &str = "review-filter-symbol";

/// The tolerance as shown in its boxes.
pub fn tol_text(v: f64) -> String {
    harvest_features::format::exp(v)
}

fn by_id<T: JsCast>(id: &str) -> Option<T> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into::<T>()
        .ok()
}

fn set_box(id: &str, text: &str) {
    if let Some(i) = by_id::<web_sys::HtmlInputElement>(id) {
        i.set_value(text);
    }
}

fn export(rc: ReviewCtx, id: u32, what: &str) {
    let file = rc.store.with_value(|s| {
        let b = s.get(id)?;
        match what {
            "jsonl" => Some((
                b.export_name(".review.jsonl"),
                "application/x-ndjson",
                b.to_jsonl(),
            )),
            "csv" => Some((b.export_name(".review.csv"), "text/csv", b.to_csv())),
            _ => b
                .receipt_json()
                .map(|j| (b.export_name(".receipt.json"), "application/json", j)),
        }
    });
    if let Some((name, mime, text)) = file {
        io::download(&name, mime, &text);
    }
}

/// Reads both tolerance boxes; applies them or says what is wrong.
fn commit_tolerance(rc: ReviewCtx) {
    let read = |id: &str, name: &str| -> Result<f64, String> {
        let text = by_id::<web_sys::HtmlInputElement>(id)
            .map(|i| i.value())
            .unwrap_or_default();
        match parse_number(&text) {
            Some(v) if v >= 0.0 => Ok(v),
            _ => Err(format!(
                "{name} tolerance: “{}” is not a number ≥ 0",
                text.trim()
            )),
        }
    };
    match (read(TOL_ABS_ID, "Absolute"), read(TOL_REL_ID, "Relative")) {
        (Ok(abs), Ok(rel)) => {
            rc.tol_error.set(None);
            rc.set_tolerance(Tolerance { abs, rel });
        }
        (Err(e), _) | (_, Err(e)) => rc.tol_error.set(Some(e)),
    }
    let invalid = rc.tol_error.with_untracked(Option::is_some).to_string();
    for id in [TOL_ABS_ID, TOL_REL_ID] {
        if let Some(i) = by_id::<web_sys::HtmlInputElement>(id) {
            let _ = i.set_attribute("aria-invalid", &invalid);
        }
    }
}

/// Clicks: buttons with `data-act`, and rows (open the record).
pub fn click(rc: ReviewCtx, ev: &web_sys::Event) {
    if let Some((act, arg)) = io::action_of(ev) {
        let batch = || arg.parse::<u32>().ok();
        match act.as_str() {
            "sample" => rc.enqueue(Job::Sample),
            "paste" => {
                if let Some(t) = by_id::<web_sys::HtmlTextAreaElement>(PASTE_ID) {
                    let text = t.value();
                    if !text.trim().is_empty() {
                        t.set_value("");
                        rc.enqueue(Job::Text(text));
                    }
                }
            }
            "cancel" => rc.cancel_loads(),
            "tol-reset" => {
                let d = Tolerance::default();
                set_box(TOL_ABS_ID, &tol_text(d.abs));
                set_box(TOL_REL_ID, &tol_text(d.rel));
                rc.tol_error.set(None);
                rc.set_tolerance(d);
            }
            "jsonl" | "csv" | "receipt" => {
                if let Some(id) = batch() {
                    export(rc, id, &act);
                }
            }
            "remove" => {
                if let Some(id) = batch() {
                    rc.remove(id);
                }
            }
            "verdict" => {
                let v = verdict_from_str(&arg);
                rc.set_filter(|f| f.verdict = if f.verdict == v { None } else { v });
                io::refocus_soon(ev);
            }
            "action" => {
                let a = HarvestAction::parse(&arg).map_or(ActionFilter::Any, ActionFilter::Is);
                rc.set_filter(|f| f.action = if f.action == a { ActionFilter::Any } else { a });
                io::refocus_soon(ev);
            }
            "clear-filters" => {
                set_box(SYMBOL_ID, "");
                rc.set_filter(|f| *f = Filter::default());
            }
            "sort" => {
                if let Some(c) = Column::ALL.into_iter().find(|c| c.key() == arg) {
                    rc.sort.update(|s| *s = s.clicked(c));
                    rc.page.set(0);
                    io::refocus_soon(ev);
                }
            }
            "page" => {
                let pages = rc
                    .selection
                    .with_untracked(Vec::len)
                    .div_ceil(harvest_features::reviewer::PAGE_SIZE);
                let last = pages.saturating_sub(1);
                let p = rc.page.get_untracked().min(last);
                rc.page.set(match arg.as_str() {
                    "first" => 0,
                    "prev" => p.saturating_sub(1),
                    "next" => (p + 1).min(last),
                    _ => last,
                });
                io::refocus_soon(ev);
            }
            "show-review" => rc.show(View::Review),
            "dismiss" => {
                if let Ok(i) = arg.parse::<usize>() {
                    rc.messages.update(|m| {
                        if i < m.len() {
                            m.remove(i);
                        }
                    });
                }
            }
            _ => {}
        }
        return;
    }
    if let Some(tr) = io::closest(ev, "tr[data-index]") {
        let num = |a: &str| tr.get_attribute(a).and_then(|v| v.parse::<usize>().ok());
        if let (Some(b), Some(i)) = (num("data-batch"), num("data-index")) {
            rc.open(b as u32, i);
        }
    }
}

/// Changes: the file picker, the tolerance boxes, the filter selects.
pub fn change(rc: ReviewCtx, ev: &web_sys::Event) {
    let Some(el) = io::closest(ev, "[data-act]") else {
        return;
    };
    let act = el.get_attribute("data-act").unwrap_or_default();
    let value = || {
        el.dyn_ref::<web_sys::HtmlSelectElement>()
            .map(|s| s.value())
            .unwrap_or_default()
    };
    match act.as_str() {
        "files" => {
            if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                for f in io::files_of(input.files()) {
                    rc.enqueue(Job::File(f));
                }
                // The same file can be picked again.
                input.set_value("");
            }
        }
        "tol" => commit_tolerance(rc),
        "f-verdict" => {
            let v = verdict_from_str(&value());
            rc.set_filter(|f| f.verdict = v);
        }
        "f-action" => {
            let a = ActionFilter::from_value(&value());
            rc.set_filter(|f| f.action = a);
        }
        "f-code" => {
            let c = ReasonCode::parse(&value());
            rc.set_filter(|f| f.code = c);
        }
        _ => {}
    }
}

/// Typing: the symbol filter.
pub fn input(rc: ReviewCtx, ev: &web_sys::Event) {
    let Some(el) = io::closest(ev, "[data-act=f-symbol]") else {
        return;
    };
    if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        let s = i.value();
        rc.set_filter(|f| f.symbol = s);
    }
}

/// Files dropped on the view.
pub fn drop_files(rc: ReviewCtx, ev: &web_sys::DragEvent) {
    ev.prevent_default();
    for f in io::files_of(ev.data_transfer().and_then(|d| d.files())) {
        rc.enqueue(Job::File(f));
    }
}
