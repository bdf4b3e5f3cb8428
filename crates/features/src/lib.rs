//! # Harvest Lab's features
//!
//! Pure logic over the P2 harvest kernel ([`harvest_kernel`]), one folder per feature, shared by
//! the `harvest` CLI and the dashboard (which are thin shells over it) and tested natively:
//!
//! - [`explorer`]: the explorer's inputs, their URL and storage encodings, field validation;
//! - [`nav`]: which view the dashboard shows, and its name in the URL;
//! - [`reviewer`]: verifying recorded proposals ([`reviewer::verify`]), the reviewer's loader,
//!   batches, table and exports;
//! - [`tuning`]: A/B of two thetas, robustness, sweeps;
//! - [`theta`]: theta sets, the one JSON codec and strict importer;
//! - [`replay`]: the trade simulation on real bars (P0, P1, P2), backtests, theta sweeps;
//! - [`research`]: walk-forward theta research over many symbols, PBO, the deflated Sharpe
//!   ratio, the hand-off;
//! - [`charts`]: chart data and drawing, generic over the plotters backend;
//! - [`csv_text`]: CSV rows (the csv crate) with spreadsheet-formula guards;
//! - [`format`]: numbers to and from text;
//! - `sample` (cargo feature `test-support`, for tests, benchmarks and `make_sample` only): the
//!   reviewer's demo file and generated inputs.
#![forbid(unsafe_code)]

pub mod charts;
pub mod csv_text;
pub mod explorer;
pub mod format;
pub mod live;
pub mod nav;
pub mod progress;
pub mod replay;
pub mod research;
pub mod reviewer;
#[cfg(all(feature = "test-support", not(target_arch = "wasm32")))]
pub mod sample;
pub mod theta;
pub mod tuning;
