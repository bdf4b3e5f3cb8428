//! # Harvest Lab's features
//!
//! Pure logic over the P2 harvest kernel ([`harvest_kernel`]), one folder per feature, shared by
//! the `harvest` CLI and the dashboard (which are thin shells over it) and tested natively:
//!
//! - [`explorer`]: the explorer's inputs, their URL and storage encodings, field validation;
//! - [`reviewer`]: verifying recorded proposals ([`reviewer::verify`]), the reviewer's loader,
//!   batches, table and exports;
//! - [`tuning`]: A/B of two thetas, robustness, sweeps, theta sets;
//! - [`replay`]: the trade simulation on real bars (P0, P1, P2), backtests, theta sweeps;
//! - [`charts`]: chart data and drawing, generic over the plotters backend;
//! - [`format`], [`sort`], [`sha256`], [`sample`]: numbers to text, sorting, receipts, the
//!   reviewer's sample file.
#![forbid(unsafe_code)]

pub mod charts;
pub mod explorer;
pub mod format;
pub mod replay;
pub mod reviewer;
#[cfg(not(target_arch = "wasm32"))]
pub mod sample;
pub mod sha256;
pub mod sort;
pub mod tuning;
