//! The decision: the action badge, R_net, risk unit, cost, K against its threshold, and the new
//! stop against the current one. Marked stale (with the kernel's error) while the input is invalid.
//!
//! Before the card, the same result in one line
//! ([`Headline`](harvest_features::tuning::headline::Headline), `result-bar`): below 960 px the
//! outputs follow the inputs, and this line stays at the top of the screen while they scroll
//! (main.css); wider, the card itself stays in view and the line is hidden.
//!
//! One reactive block re-renders the whole card (tachys updates only the text and attributes
//! that changed): fewer reactive closures keep the wasm small.

use leptos::prelude::*;

use crate::context::{Ctx, Shown};
use harvest_features::format::{fixed_or_dash, fmt_num};
use harvest_features::reviewer::action_class;
use harvest_features::tuning::headline::Headline;
use harvest_kernel::HarvestAction;

/// The action's badge: the shared vocabulary ([`action_class`]), large.
fn badge_class(a: Option<HarvestAction>) -> String {
    format!("{} badge", action_class(a))
}

fn action_words(a: HarvestAction) -> &'static str {
    match a {
        HarvestAction::None => "Keep the whole position",
        HarvestAction::Partial25 => "Take 25 % off",
        HarvestAction::Partial50 => "Take 50 % off",
        HarvestAction::Partial75 => "Take 75 % off",
        HarvestAction::FullCloseProposed => "Close everything: the kill score triggered",
    }
}

/// Everything the card shows, as text.
struct Card {
    action: &'static str,
    line: String,
    class: String,
    words: &'static str,
    r_net: (String, String),
    risk: (String, String),
    cost: (String, String),
    k: (String, String),
    over: bool,
    k_note: String,
    sl: (String, String),
    moved: bool,
    sl_note: String,
    warnings: Vec<String>,
}

impl Card {
    fn of(s: Option<&Shown>) -> Card {
        let pair = |v: f64, shown: String| (shown, harvest_features::format::shortest(v));
        match s {
            Some(s) => {
                let p = &s.proposal;
                let a = p.harvest_action;
                let thr = s.input.theta.unwrap_or_default().kill_threshold;
                // The line and the card show the same numbers.
                let h = Headline::of(&s.input, p);
                let over = h.over;
                Card {
                    action: a.as_str(),
                    line: h.text(),
                    class: badge_class(Some(a)),
                    words: action_words(a),
                    r_net: pair(p.r_net, h.r_net),
                    risk: pair(p.risk_unit, fmt_num(p.risk_unit)),
                    cost: pair(p.cost_est, fmt_num(p.cost_est)),
                    k: pair(p.kill_score, h.k),
                    over,
                    k_note: format!(
                        " {} threshold {} (z {})",
                        if over { "≥" } else { "<" },
                        fmt_num(thr),
                        fixed_or_dash(s.eval.z, 3)
                    ),
                    sl: match p.new_sl_proposed {
                        Some(n) => (
                            format!("new SL {}", fmt_num(n)),
                            harvest_features::format::shortest(n),
                        ),
                        None => ("SL unchanged".to_string(), String::new()),
                    },
                    moved: p.new_sl_proposed.is_some(),
                    sl_note: match s.input.position.current_sl {
                        Some(c) => format!(" (current {})", fmt_num(c)),
                        None => " (current: none)".to_string(),
                    },
                    warnings: p.warnings.iter().map(|w| w.message.clone()).collect(),
                }
            }
            None => Card {
                action: "",
                line: String::new(),
                class: badge_class(None),
                words: "no valid proposal yet",
                r_net: Default::default(),
                risk: Default::default(),
                cost: Default::default(),
                k: Default::default(),
                over: false,
                k_note: String::new(),
                sl: Default::default(),
                moved: false,
                sl_note: String::new(),
                warnings: Vec::new(),
            },
        }
    }
}

/// The headline numbers.
#[component]
pub fn Summary() -> impl IntoView {
    let ctx = Ctx::get();
    move || {
        let error = ctx.result.with(|r| r.as_ref().err().map(|e| e.to_string()));
        let stale = error.is_some();
        let c = ctx.shown.with(|s| Card::of(s.as_ref()));
        let warnings = c
            .warnings
            .into_iter()
            .map(|m| view! { <li>{m}</li> })
            .collect_view();
        view! {
            <p class="result-bar" class:stale=stale data-testid="result-bar" data-action=c.action aria-hidden="true">
                {c.line}
            </p>
            <section class="card summary" class:stale=stale aria-labelledby="summary-h" aria-live="polite">
                <h2 id="summary-h" class="sr-only">"Proposal"</h2>
                <p class="error-banner" data-testid="error" role="alert" hidden=!stale>
                    <strong>"Invalid input: "</strong>
                    {error.unwrap_or_default()}
                    <br />
                    <span class="muted">"The last valid proposal stays on screen, marked stale."</span>
                </p>
                <div class="decision">
                    <div class=c.class data-testid="action" data-action=c.action data-stale=stale.to_string()>
                        {c.action}
                    </div>
                    <p class="action-words">
                        {c.words}
                        <span class="stale-tag" hidden=!stale>" (stale)"</span>
                    </p>
                </div>
                <dl class="metrics">
                    <div>
                        <dt title="Cost-aware risk multiple: (PnL − cost) / risk unit">"R_net"</dt>
                        <dd data-testid="r-net" data-value=c.r_net.1.clone() title=c.r_net.1>{c.r_net.0}</dd>
                    </div>
                    <div>
                        <dt title="entry × stop distance × qty">"Risk unit"</dt>
                        <dd data-testid="risk-unit" data-value=c.risk.1>{c.risk.0}</dd>
                    </div>
                    <div>
                        <dt title="cost_bps / 10000 × entry × qty">"Cost"</dt>
                        <dd data-testid="cost" data-value=c.cost.1>{c.cost.0}</dd>
                    </div>
                    <div class="k">
                        <dt title="Kill score K = 1 / (1 + exp(−z)); at or above the threshold a full close is proposed">
                            "Kill score K"
                        </dt>
                        <dd>
                            <span data-testid="kill-score" data-value=c.k.1.clone() title=c.k.1 class:over=c.over>{c.k.0}</span>
                            <span class="muted" data-testid="kill-threshold">{c.k_note}</span>
                        </dd>
                    </div>
                    <div class="sl">
                        <dt title="The profit lock moves the stop to break-even plus once R_net ≥ lock_R; it never loosens">
                            "Stop"
                        </dt>
                        <dd>
                            <span data-testid="new-sl" data-value=c.sl.1 class:moved=c.moved>{c.sl.0}</span>
                            <span class="muted" data-testid="current-sl">{c.sl_note}</span>
                        </dd>
                    </div>
                </dl>
                <ul class="warnings" data-testid="warnings">{warnings}</ul>
            </section>
        }
    }
}
