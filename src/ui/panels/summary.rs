//! The decision: the action badge, R_net, risk unit, cost, K against its threshold, and the new
//! stop against the current one. Marked stale (with the kernel's error) while the input is invalid.

use leptos::prelude::*;

use crate::kernel::HarvestAction;
use crate::state::{fmt_fixed, fmt_num};
use crate::ui::context::Ctx;

fn action_class(a: HarvestAction) -> &'static str {
    match a {
        HarvestAction::None => "badge act-none",
        HarvestAction::Partial25 => "badge act-p25",
        HarvestAction::Partial50 => "badge act-p50",
        HarvestAction::Partial75 => "badge act-p75",
        HarvestAction::FullCloseProposed => "badge act-full",
    }
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

/// The headline numbers.
#[component]
pub fn Summary() -> impl IntoView {
    let ctx = Ctx::get();
    let stale = Memo::new(move |_| ctx.stale());
    let num = move |f: fn(&crate::ui::context::Shown) -> f64| {
        move || ctx.shown.with(|s| s.as_ref().map(f))
    };
    let action = Memo::new(move |_| {
        ctx.shown
            .with(|s| s.as_ref().map(|s| s.proposal.harvest_action))
    });
    let r_net = num(|s| s.proposal.r_net);
    let risk = num(|s| s.proposal.risk_unit);
    let cost = num(|s| s.proposal.cost_est);
    let k = num(|s| s.proposal.kill_score);
    let thr = num(|s| s.input.theta.unwrap_or_default().kill_threshold);
    let z = num(|s| s.eval.z);
    let sl = move || {
        ctx.shown.with(|s| {
            s.as_ref()
                .map(|s| (s.proposal.new_sl_proposed, s.input.position.current_sl))
        })
    };
    let error = move || ctx.result.with(|r| r.as_ref().err().map(|e| e.to_string()));
    let warnings = move || {
        ctx.shown.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.proposal
                        .warnings
                        .iter()
                        .map(|w| w.message.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let value_attr = move |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    view! {
        <section class="card summary" class:stale=move || stale.get() aria-labelledby="summary-h" aria-live="polite">
            <h2 id="summary-h" class="sr-only">"Proposal"</h2>
            {move || {
                error()
                    .map(|e| {
                        view! {
                            <p class="error-banner" data-testid="error" role="alert">
                                <strong>"Invalid input: "</strong>
                                {e}
                                <br />
                                <span class="muted">"The last valid proposal stays on screen, marked stale."</span>
                            </p>
                        }
                    })
            }}
            <div class="decision">
                <div
                    class=move || action.get().map_or("badge", action_class)
                    data-testid="action"
                    data-action=move || action.get().map(|a| a.as_str()).unwrap_or_default()
                    data-stale=move || stale.get().to_string()
                >
                    {move || action.get().map(|a| a.as_str()).unwrap_or("no valid proposal yet")}
                </div>
                <p class="action-words">
                    {move || action.get().map(action_words).unwrap_or_default()}
                    <Show when=move || stale.get()>
                        <span class="stale-tag">" (stale)"</span>
                    </Show>
                </p>
            </div>
            <dl class="metrics">
                <div>
                    <dt title="Cost-aware risk multiple: (PnL − cost) / risk unit">"R_net"</dt>
                    <dd data-testid="r-net" data-value=move || value_attr(r_net())>
                        {move || r_net().map(|v| fmt_fixed(v, 3)).unwrap_or_default()}
                    </dd>
                </div>
                <div>
                    <dt title="entry × stop distance × qty">"Risk unit"</dt>
                    <dd data-testid="risk-unit" data-value=move || value_attr(risk())>
                        {move || risk().map(fmt_num).unwrap_or_default()}
                    </dd>
                </div>
                <div>
                    <dt title="cost_bps / 10000 × entry × qty">"Cost"</dt>
                    <dd data-testid="cost" data-value=move || value_attr(cost())>
                        {move || cost().map(fmt_num).unwrap_or_default()}
                    </dd>
                </div>
                <div class="k">
                    <dt title="Kill score K = 1 / (1 + exp(−z)); at or above the threshold a full close is proposed">
                        "Kill score K"
                    </dt>
                    <dd>
                        <span
                            data-testid="kill-score"
                            data-value=move || value_attr(k())
                            class:over=move || k().zip(thr()).is_some_and(|(k, t)| k >= t)
                        >
                            {move || k().map(|v| fmt_fixed(v, 3)).unwrap_or_default()}
                        </span>
                        <span class="muted" data-testid="kill-threshold">
                            {move || {
                                k().zip(thr())
                                    .map(|(k, t)| {
                                        format!(" {} threshold {} (z {})", if k >= t { "≥" } else { "<" }, fmt_num(t), fmt_fixed(z().unwrap_or(0.0), 3))
                                    })
                                    .unwrap_or_default()
                            }}
                        </span>
                    </dd>
                </div>
                <div class="sl">
                    <dt title="The profit lock moves the stop to break-even plus once R_net ≥ lock_R; it never loosens">
                        "Stop"
                    </dt>
                    <dd>
                        <span
                            data-testid="new-sl"
                            data-value=move || value_attr(sl().and_then(|(n, _)| n))
                            class:moved=move || sl().is_some_and(|(n, _)| n.is_some())
                        >
                            {move || match sl() {
                                Some((Some(n), _)) => format!("new SL {}", fmt_num(n)),
                                Some((None, _)) => "SL unchanged".to_string(),
                                None => String::new(),
                            }}
                        </span>
                        <span class="muted" data-testid="current-sl">
                            {move || match sl() {
                                Some((_, Some(c))) => format!(" (current {})", fmt_num(c)),
                                Some((_, None)) => " (current: none)".to_string(),
                                None => String::new(),
                            }}
                        </span>
                    </dd>
                </div>
            </dl>
            {move || {
                let w = warnings();
                (!w.is_empty())
                    .then(|| {
                        view! {
                            <ul class="warnings" data-testid="warnings">
                                {w.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                            </ul>
                        }
                    })
            }}
        </section>
    }
}
