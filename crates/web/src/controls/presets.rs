//! The spec's 8 worked examples (its replay scenarios) as presets: choosing one loads its first
//! step; Previous step / Next step go through the rest. The spec's published figures are shown next to the live ones.

use leptos::prelude::*;

use crate::context::Ctx;
use harvest_features::explorer::UiState;
use harvest_features::format::{fixed_or_dash, fmt_num};
use harvest_kernel::{scenarios, Expected};

fn published(e: &Expected) -> String {
    let mut parts = vec![e.action.as_str().to_string()];
    if let Some(r) = e.r_net {
        parts.push(format!("R_net {}", fixed_or_dash(r, 2)));
    }
    if let Some(k) = e.kill_score {
        parts.push(format!("K {}", fixed_or_dash(k, 3)));
    }
    match e.new_sl {
        Some(Some(sl)) => parts.push(format!("new SL {}", fmt_num(sl))),
        Some(None) => parts.push("SL unchanged".to_string()),
        None => {}
    }
    if let Some(codes) = &e.reason_codes {
        if !codes.is_empty() {
            let c: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
            parts.push(c.join(", "));
        }
    }
    parts.join(" · ")
}

/// Preset picker and step-through.
#[component]
pub fn Presets() -> impl IntoView {
    let ctx = Ctx::get();
    let all = StoredValue::new(scenarios());
    let select = NodeRef::<leptos::html::Select>::new();
    let load = move |id: u8, step: usize| {
        if let Some(s) = UiState::from_preset(id, step) {
            ctx.state.set(s);
        }
    };
    let on_pick = move |ev: leptos::ev::Event| match event_target_value(&ev).parse::<u8>() {
        Ok(id) => load(id, 0),
        Err(_) => ctx.state.update(|s| s.preset = None),
    };
    // The select follows the state (a preset chosen from a link, "reset all", …).
    Effect::new(move |_| {
        let id = ctx.state.with(|s| s.preset.map(|p| p.id));
        if let Some(el) = select.get() {
            el.set_value(&id.map(|i| i.to_string()).unwrap_or_default());
        }
    });
    let options = all.with_value(|a| {
        a.iter()
            .map(|sc| {
                let label = format!("{}. {}", sc.id, sc.name);
                view! { <option value=sc.id.to_string()>{label}</option> }
            })
            .collect_view()
    });
    let body = move || {
        let (preset, modified) = ctx.state.with(|s| {
            let modified = s
                .preset
                .and_then(|p| UiState::from_preset(p.id, p.step))
                .is_some_and(|orig| orig != *s);
            (s.preset, modified)
        });
        let info = preset.and_then(|p| {
            all.with_value(|a| {
                let sc = a.iter().find(|s| s.id == p.id)?;
                let st = sc.steps.get(p.step)?;
                Some((
                    p,
                    sc.steps.len(),
                    sc.description,
                    format!("Step {} of {}: {}", p.step + 1, sc.steps.len(), st.label),
                    published(&st.expected),
                ))
            })
        });
        let (prev, next) = match &info {
            Some((p, n, ..)) => (
                (p.step > 0).then_some((p.id, p.step.wrapping_sub(1))),
                (p.step + 1 < *n).then_some((p.id, p.step + 1)),
            ),
            None => (None, None),
        };
        let (desc, step, publ) = info
            .map(|(_, _, d, s, p)| (d, s, format!("Spec publishes: {p}")))
            .unwrap_or_default();
        view! {
            <button
                type="button"
                data-testid="preset-prev"
                disabled=prev.is_none()
                on:click=move |_| {
                    if let Some((id, st)) = prev {
                        load(id, st)
                    }
                }
            >
                <span aria-hidden="true">"◀ "</span>
                "Previous step"
            </button>
            <button
                type="button"
                data-testid="preset-next"
                disabled=next.is_none()
                on:click=move |_| {
                    if let Some((id, st)) = next {
                        load(id, st)
                    }
                }
            >
                "Next step"
                <span aria-hidden="true">" ▶"</span>
            </button>
            <div class="preset-info" hidden=preset.is_none()>
                <p class="preset-desc">{desc}</p>
                <p class="preset-step" data-testid="preset-step">
                    {step}
                    <span class="modified">{if modified { " (modified)" } else { "" }}</span>
                </p>
                <p class="preset-published" data-testid="preset-published">{publ}</p>
            </div>
        }
    };
    view! {
        <section class="presets card" aria-labelledby="presets-h">
            <h2 id="presets-h">"Worked examples from the spec"</h2>
            <div class="preset-row">
                <label for="preset" class="sr-only">
                    "Worked example"
                </label>
                <select id="preset" data-testid="preset" node_ref=select on:change=on_pick>
                    <option value="">"Your own inputs (no example)"</option>
                    {options}
                </select>
                {body}
            </div>
        </section>
    }
}
