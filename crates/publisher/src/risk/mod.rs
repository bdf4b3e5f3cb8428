//! P1.5, the risk proposal publisher (`harvest publish-risk`): every cycle it reads each
//! symbol's position and market state from Redis, runs P1 as the running system's P1.5 does
//! (`p_trend` 0.0 unless the opt-in fix `p1-trend`) and writes `quantum:risk:proposal:<SYM>`
//! (and `quantum:stream:risk.proposal`) when it changed. It proposes; it never trades, and it
//! never invents a position.
//!
//! Pure: [`plan`] (the market state as P1.5 reads it, one symbol's cycle, the rate limit); the
//! records are `harvest_records::p1` and `harvest_records::position`. I/O: [`service`].

pub mod plan;
pub mod service;
