//! Harvest Lab's services on the running system's Redis, one folder per service: [`p25`], the
//! harvest proposal publisher (`harvest publish`). What they share is in [`shared`]: settings
//! and env values, the opt-in fixes, the position sources, the schedule and signals.
//!
//! Records (keys, fields, number text, the published proposal, the policy) are
//! `harvest_records`'; the Redis connection is `harvest_redis`'.

pub mod p25;
pub mod shared;
