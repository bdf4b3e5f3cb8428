//! The spec's 8 replay scenarios as presets: choosing one loads its first step; prev / next step
//! through the rest. The spec's published figures are shown next to the live ones.

use leptos::prelude::*;

use crate::kernel::{scenarios, Expected};
use crate::state::{fmt_fixed, fmt_num, UiState};
use crate::ui::context::Ctx;

fn published(e: &Expected) -> String {
    let mut parts = vec![e.action.as_str().to_string()];
    if let Some(r) = e.r_net {
        parts.push(format!("R_net {}", fmt_fixed(r, 2)));
    }
    if let Some(k) = e.kill_score {
        parts.push(format!("K {}", fmt_fixed(k, 3)));
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
    let preset = Memo::new(move |_| ctx.state.with(|s| s.preset));
    let modified = Memo::new(move |_| {
        ctx.state.with(|s| {
            s.preset
                .and_then(|p| UiState::from_preset(p.id, p.step))
                .is_some_and(|orig| orig != *s)
        })
    });
    let load = move |id: u8, step: usize| {
        if let Some(s) = UiState::from_preset(id, step) {
            ctx.state.set(s);
        }
    };
    let on_pick = move |ev: leptos::ev::Event| match event_target_value(&ev).parse::<u8>() {
        Ok(id) => load(id, 0),
        Err(_) => ctx.state.update(|s| s.preset = None),
    };
    let steps = move || {
        preset.get().map_or(0, |p| {
            all.with_value(|a| a.iter().find(|s| s.id == p.id).map_or(0, |s| s.steps.len()))
        })
    };
    let go = move |delta: isize| {
        if let Some(p) = preset.get_untracked() {
            let n = steps() as isize;
            let next = p.step as isize + delta;
            if (0..n).contains(&next) {
                load(p.id, next as usize);
            }
        }
    };
    let info = move || {
        preset.get().and_then(|p| {
            all.with_value(|a| {
                let sc = a.iter().find(|s| s.id == p.id)?;
                let st = sc.steps.get(p.step)?;
                Some((
                    sc.description,
                    format!("Step {} of {}: {}", p.step + 1, sc.steps.len(), st.label),
                    published(&st.expected),
                ))
            })
        })
    };
    let options = all.with_value(|a| {
        a.iter()
            .map(|sc| {
                let id = sc.id;
                let label = format!("{}. {}", sc.id, sc.name);
                view! {
                    <option
                        value=id.to_string()
                        prop:selected=move || preset.get().is_some_and(|p| p.id == id)
                    >
                        {label}
                    </option>
                }
            })
            .collect_view()
    });
    view! {
        <section class="presets card" aria-labelledby="presets-h">
            <h2 id="presets-h">"Replay scenarios"</h2>
            <div class="preset-row">
                <label for="preset" class="sr-only">
                    "Scenario"
                </label>
                <select id="preset" data-testid="preset" on:change=on_pick>
                    <option value="" prop:selected=move || preset.get().is_none()>
                        "Custom (no scenario)"
                    </option>
                    {options}
                </select>
                <button
                    type="button"
                    data-testid="preset-prev"
                    aria-label="Previous step"
                    disabled=move || preset.get().is_none_or(|p| p.step == 0)
                    on:click=move |_| go(-1)
                >
                    "◀ prev"
                </button>
                <button
                    type="button"
                    data-testid="preset-next"
                    aria-label="Next step"
                    disabled=move || preset.get().is_none_or(|p| p.step + 1 >= steps())
                    on:click=move |_| go(1)
                >
                    "next ▶"
                </button>
            </div>
            {move || {
                info()
                    .map(|(desc, step, publ)| {
                        view! {
                            <p class="preset-desc">{desc}</p>
                            <p class="preset-step" data-testid="preset-step">
                                {step}
                                <Show when=move || modified.get()>
                                    <span class="modified">" (modified)"</span>
                                </Show>
                            </p>
                            <p class="preset-published" data-testid="preset-published">
                                "Spec publishes: "
                                {publ}
                            </p>
                        }
                    })
            }}
        </section>
    }
}
