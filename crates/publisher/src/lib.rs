//! Harvest Lab's services on the running system's Redis, one folder per service: [`p25`], the
//! harvest proposal publisher (`harvest publish`); [`market`], the market-state publisher P0.5
//! (`harvest publish-market`); [`risk`], the risk proposal publisher P1.5 (`harvest
//! publish-risk`); [`feed`], the candle feed (`harvest feed`). What they share is in
//! [`runtime`]: settings and env values, the opt-in fixes, the position sources, the schedule,
//! signals and the service loop.
//!
//! Records (keys, fields, number text, the published proposal, the policy) are
//! `harvest_records`'; the Redis connection is `harvest_redis`'.

pub mod feed;
pub mod market;
pub mod p25;
pub mod risk;
pub mod runtime;
