//! The Replay view: loading on top, then the trade (controls, chart, signals, scrubber), then
//! the backtest (settings, summary, A/B, trade list) and the sweep. Files can be dropped
//! anywhere on it.

use leptos::prelude::*;

use crate::hooks::use_drop_files;
use crate::parts::{LazyPart, Load, Part, Parts};
use crate::replay::ab_panel::AbPanel;
use crate::replay::backtest_panel::BacktestPanel;
use crate::replay::context::ReplayCtx;
use crate::replay::cursor_line::CursorLine;
use crate::replay::job_status::JobStatus;
use crate::replay::jobs::{self, Job};
use crate::replay::load_panel::LoadPanel;
use crate::replay::scrubber::Scrubber;
use crate::replay::signals_chart::SignalsChart;
use crate::replay::summary_table::SummaryTable;
use crate::replay::sweep_panel::SweepPanel;
use crate::replay::symbol_table::SymbolTable;
use crate::replay::trade_chart::TradeChartView;
use crate::replay::trade_controls::TradeControls;
use crate::replay::trade_list::TradeList;
use harvest_features::nav::View;

/// The whole Replay view (hidden while another view shows). It provides [`ReplayCtx`].
#[component]
pub fn ReplayView() -> impl IntoView {
    let rc = ReplayCtx::provide();
    let parts = Parts::get();
    let charts = NodeRef::<leptos::html::Div>::new();
    let loaded = move || rc.has_series();
    let zone = use_drop_files(move |files| {
        if !files.is_empty() {
            jobs::start(rc, Job::Files(files));
        }
    });
    view! {
        <section
            data-testid="replay-view"
            class="replay"
            class:dragging=move || zone.dragging.get()
            hidden=move || rc.nav.view.get() != View::Replay
            aria-label="Trade replay"
            on:dragover=move |ev| zone.over(ev)
            on:dragleave=move |_| zone.leave()
            on:drop=move |ev| zone.drop(ev)
        >
            <LoadPanel />
            <JobStatus />
            <p class="card replay-empty" data-testid="replay-empty" hidden=loaded>
                "Nothing loaded yet. Load the sample (hourly BTC/USD on Coinbase, 2017–2019) or pick or drop price files (several at once: each is a symbol): "
                "each bar's close runs P0 (market state), P1 (stops) and the P2 kernel on a simulated trade."
            </p>
            <div class="replay-body" hidden=move || !loaded()>
                <section class="card replay-trade" aria-label="The trade">
                    <TradeControls />
                    <div class="replay-charts" node_ref=charts>
                        <TradeChartView />
                        <SignalsChart />
                        <CursorLine wrap=charts />
                    </div>
                    <Scrubber />
                </section>
                <section class="card replay-backtest" aria-label="Backtest">
                    <BacktestPanel />
                    <SymbolTable />
                    <SummaryTable />
                    <AbPanel />
                    <TradeList />
                </section>
                <SweepPanel />
                // The Research panel is a chunk of its own, downloaded once prices are loaded.
                <LazyPart part=Part::Research when=Signal::derive(loaded) />
                <p class="card hint" role="status" hidden=move || parts.load(Part::Research) != Load::Waiting>
                    "Loading the research panel…"
                </p>
                <p class="card notice" role="alert" hidden=move || parts.load(Part::Research) != Load::Failed>
                    "The research panel could not be downloaded: reload the page to try again."
                </p>
            </div>
        </section>
    }
}
