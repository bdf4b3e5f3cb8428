//! Which trade is replayed and how: the entry bar and side, P1's trailing on or off, the
//! horizon and the cost per fill; theta (the same as the other tabs', in the link).

use leptos::prelude::*;

use crate::replay::context::ReplayCtx;
use crate::replay::symbol_pick::SymbolPick;
use crate::replay::theta_box::ReplayTheta;
use harvest_features::format::fmt_time;
use harvest_features::replay::view::entry_at_time;
use harvest_kernel::Side;

/// The trade's settings.
#[component]
pub fn TradeControls() -> impl IntoView {
    let rc = ReplayCtx::get();
    let bars = move || {
        rc.version.track();
        rc.with_series(|s| s.bars.len()).unwrap_or(0)
    };
    let first = harvest_features::replay::market::MIN_CLOSES - 1;
    let entry_index = move || rc.entry.get().map_or(first, |e| e.0);
    let side = move || rc.entry.get().map_or(Side::Long, |e| e.1);
    let entry_time = move || {
        let i = entry_index();
        rc.version.track();
        rc.with_series(|s| s.bars.get(i).map(|b| format!("{} UTC", fmt_time(b.time))))
            .flatten()
            .unwrap_or_default()
    };
    let set_index = move |ev: leptos::ev::Event| {
        let max = bars().saturating_sub(1);
        if let Ok(i) = event_target_value(&ev).trim().parse::<usize>() {
            rc.replay(i.clamp(first, max.max(first)), side());
        }
    };
    // The entry by date and time (UTC): the first bar at or after it.
    let at_error = RwSignal::new(None::<String>);
    let entry_at = move || {
        let i = entry_index();
        rc.version.track();
        rc.with_series(|s| s.bars.get(i).map(|b| fmt_time(b.time).replace(' ', "T")))
            .flatten()
            .unwrap_or_default()
    };
    let set_at = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let found = rc.with_series(|s| entry_at_time(s, &text));
        match found {
            Some(Ok(i)) => {
                at_error.set(None);
                rc.replay(i, side());
            }
            Some(Err(e)) => at_error.set(Some(format!("No entry there: {e}."))),
            None => {}
        }
    };
    let set_side = move |ev: leptos::ev::Event| {
        let s = if event_target_value(&ev) == "SHORT" {
            Side::Short
        } else {
            Side::Long
        };
        rc.replay(entry_index(), s);
    };
    let step = move |d: i64| {
        let max = bars().saturating_sub(2) as i64;
        let i = (entry_index() as i64 + d).clamp(first as i64, max.max(first as i64));
        rc.replay(i as usize, side());
    };
    let set_max = move |ev: leptos::ev::Event| {
        if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
            if n >= 1 {
                rc.params.update(|p| p.max_bars = n);
            }
        }
    };
    let set_cost = move |ev: leptos::ev::Event| {
        if let Ok(c) = event_target_value(&ev).trim().parse::<f64>() {
            if c.is_finite() && c >= 0.0 {
                rc.params.update(|p| p.cost_bps = c);
            }
        }
    };
    view! {
        <div class="replay-controls">
            <h2>"Trade"</h2>
            <SymbolPick testid="replay-symbol-pick" />
            <label>
                "Entry bar "
                <input
                    type="number"
                    data-testid="replay-entry"
                    min=first
                    max=move || bars().saturating_sub(1)
                    step="1"
                    prop:value=move || entry_index().to_string()
                    on:change=set_index
                />
            </label>
            <button type="button" data-testid="replay-prev" title="Enter 24 bars earlier" on:click=move |_| step(-24)>"◀ 24"</button>
            <button type="button" data-testid="replay-next" title="Enter 24 bars later" on:click=move |_| step(24)>"24 ▶"</button>
            <span class="muted" data-testid="replay-entry-time">{entry_time}</span>
            <label>
                "Entry at (UTC) "
                <input
                    type="datetime-local"
                    data-testid="replay-entry-at"
                    step="60"
                    prop:value=entry_at
                    on:change=set_at
                />
            </label>
            <label>
                "Side "
                <select data-testid="replay-side" prop:value=move || side().as_str() on:change=set_side>
                    <option value="LONG">"LONG"</option>
                    <option value="SHORT">"SHORT"</option>
                </select>
            </label>
            <label class="toggle" title="P1's proposal moves the stop (off: only P2's break-even-plus does)">
                <input
                    type="checkbox"
                    data-testid="replay-trail"
                    prop:checked=move || rc.params.with(|p| p.trail)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        rc.params.update(|p| p.trail = on);
                    }
                />
                <span>"P1 trailing"</span>
            </label>
            <label>
                "Max bars "
                <input
                    type="number"
                    data-testid="replay-max-bars"
                    min="1"
                    step="1"
                    prop:value=move || rc.params.with(|p| p.max_bars.to_string())
                    on:change=set_max
                />
            </label>
            <label>
                "Cost per fill (bps) "
                <input
                    type="number"
                    data-testid="replay-cost"
                    min="0"
                    step="1"
                    prop:value=move || rc.params.with(|p| harvest_features::format::shortest(p.cost_bps))
                    on:change=set_cost
                />
            </label>
        </div>
        <p class="err" role="alert" data-testid="replay-entry-at-error" hidden=move || at_error.with(Option::is_none)>
            {move || at_error.get().unwrap_or_default()}
        </p>
        <ReplayTheta />
    }
}
