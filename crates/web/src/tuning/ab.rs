//! A/B theta comparison: pin the current theta as A, then the theta sliders edit B; every
//! position of the chosen set whose action, proposed stop or K trigger changes is listed
//! ([`harvest_features::tuning::compare_thetas`]) with the counts, the net sentence and the tunables that
//! differ ([`ab_html`]). "Open" loads a position into the explorer with theta B.

use std::time::Duration;

use leptos::prelude::*;

use crate::tuning::tuner::Tuner;
use harvest_features::nav::View;
use harvest_features::tuning::view::{ab_html, ab_rows, li_html, open_state, SetChoice};
use harvest_features::tuning::{
    compare_thetas, grid_positions, scenario_positions, GridSpec, PositionSet,
};
use harvest_kernel::HarvestInput;

/// Rows listed (the counts cover every position).
const MAX_ROWS: usize = 100;
/// The comparison waits this long after the last change (a drag recomputes once it rests).
const DEBOUNCE: Duration = Duration::from_millis(120);

/// The compared positions (for "Open") and the debounce timer.
#[derive(Clone, Copy)]
pub struct AbState {
    inputs: StoredValue<Vec<HarvestInput>>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl AbState {
    /// Nothing compared yet.
    pub fn new() -> Self {
        AbState {
            inputs: StoredValue::new(Vec::new()),
            timer: StoredValue::new(None),
        }
    }
}

fn empty() -> PositionSet {
    PositionSet {
        name: String::new(),
        labels: Vec::new(),
        inputs: Vec::new(),
    }
}

impl Tuner {
    /// The positions of `choice`: the replay steps, the grid around the shown input, or every
    /// record loaded in the reviewer that has inputs (labelled `file:line symbol`).
    fn positions(self, choice: SetChoice) -> PositionSet {
        match choice {
            SetChoice::Scenarios => scenario_positions(),
            SetChoice::Grid => self.ctx.shown.with_untracked(|s| {
                let base = s.as_ref().map(|s| s.input.clone()).unwrap_or_default();
                grid_positions(&base, &GridSpec::default()).unwrap_or_else(|_| empty())
            }),
            SetChoice::Reviewer => self.review().map_or_else(empty, |rc| {
                rc.store.with_value(|st| {
                    let mut set = empty();
                    set.name = "the reviewer's loaded records".to_string();
                    for b in &st.batches {
                        for r in &b.rows {
                            if let Some(i) = &r.input {
                                set.labels
                                    .push(format!("{}:{} {}", b.name, r.line, r.symbol));
                                set.inputs.push(i.clone());
                            }
                        }
                    }
                    set
                })
            }),
        }
    }

    /// The buttons' enabled state and the set shown in the dropdown.
    pub fn ab_controls(self) {
        let unpinned = self.tc.pinned.with_untracked(Option::is_none);
        for id in ["ab-unpin", "ab-reset-b"] {
            if let Some(b) = self.find::<web_sys::Element>(id) {
                let _ = if unpinned {
                    b.set_attribute("disabled", "")
                } else {
                    b.remove_attribute("disabled")
                };
            }
        }
        if let Some(sel) = self.find::<web_sys::HtmlSelectElement>("ab-set") {
            sel.set_value(self.tc.set_choice.get_untracked().key());
        }
    }

    /// Recomputes the comparison now, or `DEBOUNCE` after the last call when `debounce`.
    pub fn ab_update(self, debounce: bool) {
        if let Some(h) = self.ab.timer.get_value() {
            h.clear();
        }
        if !debounce {
            self.ab_compute();
            return;
        }
        let h = set_timeout_with_handle(
            move || {
                if self.ab.timer.try_set_value(None).is_none() {
                    self.ab_compute();
                }
            },
            DEBOUNCE,
        )
        .ok();
        self.ab.timer.set_value(h);
    }

    fn ab_compute(self) {
        let Some(out) = self.find::<web_sys::Element>("ab-results") else {
            return;
        };
        let Some(a) = self.tc.pinned.get_untracked() else {
            out.set_inner_html("");
            self.ab.inputs.set_value(Vec::new());
            return;
        };
        let b = self.ctx.state.with_untracked(|s| s.theta);
        let set = self.positions(self.tc.set_choice.get_untracked());
        let mut h = match compare_thetas(&a, &b, &set.inputs) {
            Ok(r) => ab_html(&r, &set.name, &ab_rows(&r, &set.labels, MAX_ROWS)),
            Err(e) => format!(
                "<p class=\"err\">Theta A or B is invalid, so nothing was compared:</p><ul class=\"err\">{}</ul>",
                li_html(&e.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
        };
        if set.is_empty() {
            h.push_str("<p class=\"err\">This set has no positions: load records in the Reviewer first, or pick another set.</p>");
        }
        out.set_inner_html(&h);
        self.ab.inputs.set_value(set.inputs);
    }

    /// "Open": position `index` of the compared set into the explorer, with theta B.
    pub fn ab_open(self, index: usize) {
        let Some(input) = self.ab.inputs.with_value(|v| v.get(index).cloned()) else {
            return;
        };
        let b = self.ctx.state.with_untracked(|s| s.theta);
        self.ctx.state.set(open_state(&input, b));
        self.nav.show(View::Explorer);
    }
}
