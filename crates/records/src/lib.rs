//! # The running system's Redis records
//!
//! The one home of every record Harvest Lab reads from or writes to the running trading
//! system's Redis, as that system's services write and read them. Pure: no I/O, no clock (the
//! caller passes the time); builds for wasm32, so the dashboard reads records with the same code
//! as the CLI and the services.
//!
//! - [`keys`]: the keys and streams;
//! - [`num`]: Python's `repr(float)`, `f"{v:.8f}"` and `float()`;
//! - [`time`]: `computed_at_utc` text;
//! - [`fields`]: a record's fields and the typed errors of reading them;
//! - [`published`]: the published harvest proposal (writer, reader, the decision read-back);
//! - [`position`]: position records (apply layer, exchange sync, execution stream) and the facts
//!   the running P2.5 ignores;
//! - [`market`], [`p1`]: P0.5's market state and P1.5's risk proposal;
//! - [`policy`]: the AI policy store's record, its fail-closed rules, `policy_hash`, and
//!   `harvest_params` JSON.
#![forbid(unsafe_code)]

pub mod fields;
pub mod keys;
pub mod market;
pub mod num;
pub mod p1;
pub mod policy;
pub mod position;
pub mod published;
#[cfg(any(test, feature = "test-support"))]
pub mod samples;
pub mod time;

pub use fields::Fields;
