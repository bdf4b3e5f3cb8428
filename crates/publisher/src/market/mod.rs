//! P0.5, the market state publisher (`harvest publish-market`): every cycle it brings each
//! symbol's window of candles up to date from Redis (only what is new), computes P0 and writes
//! `quantum:marketstate:<SYM>` (TTL ten intervals) and an entry of `quantum:stream:marketstate`,
//! as the running system's P0.5 does. It never invents prices.
//!
//! Pure: [`candles`] (the keys tried, a candle's close), [`track`] (a symbol's window between
//! cycles and what a cycle reads); the published record is `harvest_records::market`. I/O:
//! [`service`].

pub mod candles;
pub mod service;
pub mod track;
