//! Theta sets: save the current theta under a name (localStorage), load or delete a saved one,
//! export as JSON or `theta.harvest.<key>=<value>` lines and import either strictly
//! ([`harvest_features::tuning::import_theta`]): a refused import lists every problem and leaves the
//! current theta as it was.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser;
use crate::tuning::tuner::Tuner;
use harvest_features::tuning::view::{export_file_name, options_html};
use harvest_features::tuning::{export_theta, import_theta, ThetaFormat};

impl Tuner {
    fn input_value(self, id: &str) -> String {
        self.find::<web_sys::HtmlInputElement>(id)
            .map(|e| e.value())
            .unwrap_or_default()
    }

    fn text(self) -> String {
        self.find::<web_sys::HtmlTextAreaElement>("theta-text")
            .map(|e| e.value())
            .unwrap_or_default()
    }

    fn set_text(self, t: &str) {
        if let Some(e) = self.find::<web_sys::HtmlTextAreaElement>("theta-text") {
            e.set_value(t);
        }
    }

    fn picked(self) -> String {
        self.find::<web_sys::HtmlSelectElement>("theta-set-list")
            .map(|e| e.value())
            .unwrap_or_default()
    }

    /// The saved sets' `<option>`s.
    pub fn sets_list(self) {
        if let Some(sel) = self.find::<web_sys::Element>("theta-set-list") {
            sel.set_inner_html(&self.tc.sets.with_untracked(|s| options_html(&s.names())));
        }
    }

    /// A theta-sets button (`data-act`): save, load, delete, json, lines, download, import.
    pub fn sets_act(self, act: &str) {
        let theta = self.ctx.state.with_untracked(|s| s.theta);
        match act {
            "save" => {
                let mut sets = self.tc.sets.get_untracked();
                match sets.save(&self.input_value("theta-set-name"), theta) {
                    Ok((n, replaced)) => {
                        let stored = self.tc.store_sets(sets);
                        let m = match (stored, replaced) {
                            (false, _) => format!(
                                "“{n}” is kept for this page only: this browser refused to store it."
                            ),
                            (true, true) => format!("Saved: “{n}” now holds the current theta."),
                            (true, false) => format!("Saved the current theta as “{n}”."),
                        };
                        self.say(stored, &m, &[]);
                    }
                    Err(e) => self.say(false, &e, &[]),
                }
            }
            "load" => {
                let n = self.picked();
                match self.tc.sets.with_untracked(|s| s.get(&n)) {
                    Some(t) => {
                        self.ctx.state.update(|s| s.theta = t);
                        self.say(true, &format!("Loaded “{n}” into the theta sliders."), &[]);
                    }
                    None => self.say(false, "Pick a saved theta set first.", &[]),
                }
            }
            "delete" => {
                let n = self.picked();
                let mut sets = self.tc.sets.get_untracked();
                if sets.delete(&n) {
                    self.tc.store_sets(sets);
                    self.say(true, &format!("Deleted “{n}”."), &[]);
                } else {
                    self.say(false, "Pick a saved theta set first.", &[]);
                }
            }
            "json" | "lines" => {
                let f = if act == "json" {
                    ThetaFormat::Json
                } else {
                    ThetaFormat::Lines
                };
                self.set_text(&export_theta(&theta, f));
                self.format.set_value(f);
                self.say(
                    true,
                    "The current theta is above: copy it, or download it as a file.",
                    &[],
                );
            }
            "download" => {
                let f = self.format.get_value();
                let (ext, mime) = match f {
                    ThetaFormat::Json => ("json", "application/json"),
                    ThetaFormat::Lines => ("theta", "text/plain"),
                };
                let t = self.text();
                let t = if t.trim().is_empty() {
                    export_theta(&theta, f)
                } else {
                    t
                };
                let name = export_file_name(&self.input_value("theta-set-name"), ext);
                browser::download(&name, mime, &t);
            }
            "import" => self.import(&self.text()),
            _ => {}
        }
    }

    fn import(self, text: &str) {
        match import_theta(text) {
            Ok(new) => {
                let changed = self.ctx.state.with_untracked(|s| s.theta.diff(&new).len());
                self.ctx.state.update(|s| s.theta = new);
                self.say(
                    true,
                    &format!(
                        "Imported: {changed} tunable{} changed; tunables not in the text took their defaults.",
                        if changed == 1 { "" } else { "s" }
                    ),
                    &[],
                );
            }
            Err(errs) => {
                let n = errs.len();
                let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
                self.say(
                    false,
                    &format!(
                        "Import refused ({n} problem{}); the current theta is unchanged:",
                        if n == 1 { "" } else { "s" }
                    ),
                    &msgs,
                );
            }
        }
    }

    /// A file was picked: read it into the text box and import it.
    pub fn sets_file(self, ev: &web_sys::Event) {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(file) = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        {
            browser::read_file_text(file, move |r| {
                if !self.alive() {
                    return;
                }
                match r {
                    Ok(t) => {
                        self.set_text(&t);
                        self.import(&t);
                    }
                    Err(e) => self.say(false, &e, &[]),
                }
            });
        }
        if let Some(i) = input {
            i.set_value("");
        }
    }
}
