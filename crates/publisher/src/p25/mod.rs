//! P2.5, the harvest proposal publisher: every cycle it reads the policy in force, each symbol's
//! position, market state, P1 proposal and last publish from Redis, runs the P2 kernel and
//! publishes the proposal back (`quantum:harvest:proposal:<SYM>`, and the stream
//! `quantum:stream:harvest.proposal`). It proposes; it never trades, and it never invents a
//! position.
//!
//! Pure: [`plan`] (one symbol's cycle), [`rule`] (the publish rule). I/O: [`service`] (the cycle
//! and its loop: policy reloads, backoff, signals, logs).

pub mod plan;
pub mod rule;
pub mod service;
