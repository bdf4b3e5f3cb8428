//! # Harvest Lab
//!
//! The P2 harvest kernel ([`kernel`]) as a pure library, plus the pieces built on it:
//! chart data and drawing ([`charts`]), theta tuning ([`tuning`]), the native CLI (`cli`, not
//! on wasm32) and the Leptos dashboard (`ui`, wasm32 only).
#![forbid(unsafe_code)]

pub mod charts;
pub mod kernel;
pub mod numfmt;
pub mod review;
pub mod review_view;
pub mod sha256;
pub mod sort;
pub mod tuning;
pub mod tuning_view;

#[cfg(not(target_arch = "wasm32"))]
pub mod sample;
pub mod state;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod ui;
