//! The Replay view (`?view=replay`): real price histories (the shipped hourly BTC/USD sample or
//! several files, a symbol each), one trade replayed bar by bar through P0 → P1 → P2 with its fills, the stop's path
//! and the kill score and R_net under it, a scrubber that shows any bar's proposal and opens it
//! in the explorer; and backtests of many trades against two baselines, theta A against B and a
//! sweep of two theta axes. Its own wasm chunk (see `app.rs`). One component a file; every
//! number and sentence comes from [`harvest_features::replay`] and [`harvest_features::charts`].

mod ab_panel;
mod backtest_panel;
pub(crate) mod context;
mod cursor_line;
pub(crate) mod job_status;
mod jobs;
mod load_panel;
mod page;
mod scrubber;
mod signals_chart;
mod summary_table;
mod sweep_panel;
mod symbol_pick;
mod symbol_table;
mod theta_box;
mod trade_chart;
mod trade_controls;
mod trade_list;

pub use page::ReplayView;
