//! Trade replay and backtests on real bars: P0 market state ([`harvest_market`]), P1 stops and
//! the P2 kernel at every close of a simulated position ([`simulate`], documented in [`sim`]),
//! many trades at once with their summary against two baselines ([`Backtest`]), theta A against
//! theta B on the same trades ([`compare_ab`]) and a sweep of two theta axes ([`ThetaSweep`]).
//!
//! Pure and natively tested; the `harvest backtest` command and the dashboard's Replay view are
//! shells over it. The market states of a price history are computed once ([`Series`]) and shared
//! by every trade.

/// The market crate (P0, P1, price files), for the shells that use the replay.
pub use harvest_market as market;

pub mod backtest;
pub mod pool;
pub mod sim;
pub mod view;

pub use backtest::{
    compare_ab, entries_at, every_n, hist_label, parse_entries, summarize, AbSummary, Backtest,
    Entry, Report, Sides, Summary, SweepAxis, SweepAxisError, SweepCell, ThetaSweep, TradeRow,
    HIST_HI, HIST_LO, HIST_STEP, MAX_SWEEP_N,
};
pub use pool::{pool_rows, MultiSweep, PooledRun, SymbolRun};
pub use sim::{
    simulate, Baseline, ExitReason, Fill, FillKind, Series, SimError, SimParams, Step, StepEval,
    StopMover, Trade,
};

#[cfg(test)]
mod tests;
