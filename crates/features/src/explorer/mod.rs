//! The explorer as plain data, everything about it that needs no browser: the numeric inputs'
//! table ([`inputs`]; the tunables' groups and sliders are the kernel's [`harvest_kernel::PARAMS`]), the state and its
//! validation through the kernel's own errors ([`state`]), and the compact URL / storage
//! encoding ([`url`]). Numbers are parsed and written by [`crate::format`].
//!
//! Pure and natively tested; the dashboard's explorer components only call it. No formula of
//! the kernel is repeated here: ranges that depend on the risk unit ask
//! [`HarvestInput::evaluate`](harvest_kernel::HarvestInput::evaluate).

pub mod inputs;
pub mod state;
pub mod url;

pub use inputs::{InputError, InputField, InputSpec, SliderRange, INPUTS};
pub use state::{arrow_step, input_note, Preset, UiState};
pub use url::{decode, encode, Decoded};
