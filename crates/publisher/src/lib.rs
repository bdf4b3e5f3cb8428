//! P2.5, the harvest proposal publisher: every cycle it reads each symbol's market state, P1
//! proposal and position from Redis, runs the P2 kernel and publishes the proposal back to Redis
//! (`quantum:harvest:proposal:<SYM>`, and the stream `quantum:stream:harvest.proposal`). It
//! proposes; it never trades, and it never invents a position.
//!
//! Pure (no I/O, no clock): [`input`] (keys, hashes → kernel inputs with typed errors),
//! [`output`] (the published fields, the publish decision), [`plan`] (settings, one symbol's
//! cycle). I/O: [`store`] (Redis, single node or cluster, pipelined), [`service`] (the cycle and
//! its loop), [`local`] (a throwaway `redis-server` for tests, the benchmark and demos).
//!
//! Shared by every service of the crate: [`runtime`] (the symbol list and setting errors, the
//! fixed schedule and backoff, stop signals, the service loop).

pub mod feed;
pub mod input;
pub mod local;
pub mod market;
pub mod output;
pub mod plan;
pub mod runtime;
pub mod service;
pub mod store;

/// The `redis` crate this publisher is built with (tests and tools build commands with it).
pub use redis;
