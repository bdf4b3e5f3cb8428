//! The Live view: the stream's status, the theta in force, the counts and the table of every
//! symbol's latest proposal (a closed one marked until it is dropped), and above it the live
//! chart of the symbol clicked. It connects once, when first shown, and keeps the connection
//! while the page lives.

use leptos::prelude::*;

use super::chart::LiveChartView;
use super::row::LiveRowView;
use crate::browser;
use crate::nav::Nav;
use harvest_features::explorer::{encode, UiState};
use harvest_features::live::{Board, CLOSED_HOLD_MS};
use harvest_features::nav::View;
use harvest_features::reviewer::OpenedRecord;
use harvest_kernel::Tolerance;

/// The whole Live view (hidden while another view shows).
#[component]
pub fn LivePage() -> impl IntoView {
    let nav = Nav::get();
    let board = RwSignal::new(Board::new(Tolerance::default()));
    // Connect when first shown (the chunk loads with the page, to offer the tab).
    let connected = StoredValue::new(false);
    Effect::new(move |_| {
        if nav.view.get() != View::Live || connected.get_value() {
            return;
        }
        connected.set_value(true);
        if let Some(url) = super::live_url() {
            super::events::connect(
                &url,
                move |ev| {
                    board.update(|b| {
                        b.problem = None;
                        b.apply(ev, js_sys::Date::now());
                    })
                },
                move |msg| board.update(|b| b.note_problem(msg)),
            );
            // Closed rows go after a while: look once a second (only when there are some).
            let _ = set_interval_with_handle(
                move || {
                    if board.with_untracked(|b| b.counts()[4] > 0) {
                        board.update(|b| {
                            b.prune(js_sys::Date::now());
                        });
                    }
                },
                std::time::Duration::from_millis(1000),
            );
        }
    });
    let open = Callback::new(move |symbol: String| {
        let opened = board.with_untracked(|b| {
            let row = b.row(&symbol)?;
            OpenedRecord::from_row(&row.review, &format!("live {symbol}"), Tolerance::default())
        });
        let Some(o) = opened else { return };
        let state = UiState::from_input(&o.input);
        browser::go_to(View::Explorer, Some(&encode(&state)));
        nav.opened.set(Some(o));
        nav.explorer.set(state);
        nav.view.set(View::Explorer);
        browser::scroll_top();
    });
    // The symbol whose chart is shown (a symbol button toggles it).
    let charted = RwSignal::new(None::<String>);
    let on_chart = Callback::new(move |symbol: String| {
        charted.update(|c| {
            *c = if c.as_deref() == Some(symbol.as_str()) {
                None
            } else {
                Some(symbol)
            }
        })
    });
    let in_force = Signal::derive(move || board.with(Board::theta));
    let rows = Memo::new(move |_| board.with(Board::rows));
    let counts = Memo::new(move |_| board.with(Board::counts));
    let status = move || board.with(|b| b.status.clone());
    let theta = move || board.with(Board::theta_in_force);
    let problem = move || board.with(|b| b.problem.clone());
    view! {
        <section
            data-testid="live-view"
            class="live card"
            hidden=move || nav.view.get() != View::Live
            aria-label="Live proposals"
        >
            <header class="live-head">
                <h2>"Live proposals"</h2>
                <span
                    class="live-status"
                    class:ok=move || status() == "connected"
                    data-testid="live-status"
                    role="status"
                >
                    {move || format!("Redis: {}", status())}
                </span>
                <span class="muted" data-testid="live-count">
                    {move || {
                        let [n, ok, mis, bad, closed, second] = counts.get();
                        let mut t = format!("{n} symbols · {ok} MATCH · {mis} MISMATCH · {bad} INVALID");
                        if second > 0 {
                            t.push_str(&format!(" · {second} with a second opinion"));
                        }
                        if closed > 0 {
                            t.push_str(&format!(" · {closed} closed"));
                        }
                        t
                    }}
                </span>
            </header>
            <p class="muted live-theta" data-testid="live-theta" hidden=move || theta().is_none()>
                {move || theta().unwrap_or_default()}
            </p>
            <p class="notice" data-testid="live-problem" role="alert" hidden=move || problem().is_none()>
                {problem}
            </p>
            <LiveChartView shown=charted theta=in_force />
            <p class="muted" data-testid="live-empty" hidden=move || !rows.with(Vec::is_empty)>
                "No published proposals yet: they appear here as harvest publish writes them."
            </p>
            <table class="live-table" data-testid="live-table" hidden=move || rows.with(Vec::is_empty)>
                <thead>
                    <tr>
                        <th>"Symbol"</th>
                        <th>"Side"</th>
                        <th>"Action"</th>
                        <th>"Verdict"</th>
                        <th class="num">"R_net"</th>
                        <th class="num">"K"</th>
                        <th>"K history"</th>
                        <th class="num">"New SL"</th>
                        <th>"Computed (UTC)"</th>
                        <th>"Check"</th>
                        <th>"Second opinion"</th>
                        <th><span class="sr-only">"Open"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        key=|r| (r.symbol.clone(), r.updates)
                        let:row
                    >
                        <LiveRowView row=row on_open=open on_chart=on_chart charted=charted />
                    </For>
                </tbody>
            </table>
            <p class="muted small">
                "Each record is recomputed here by the kernel ("
                {harvest_kernel::KERNEL_VERSION}
                "): exactly when it carries proposal_json, else as the running publisher computes, with the theta in force, as far as its fields allow. The second opinion says what the facts of the position record that publisher ignores would change. A proposal that disappears from Redis is shown closed for "
                {format!("{} s", CLOSED_HOLD_MS / 1000.0)}
                ", then dropped. Click a symbol for its live chart (its candles from Redis with its proposals on them), Explorer to open the record in the explorer."
            </p>
        </section>
    }
}
