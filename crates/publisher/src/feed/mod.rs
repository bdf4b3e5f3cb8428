//! `harvest feed`: plays price files into Redis as the running system's candle cache holds them,
//! one bar per tick at a chosen pace, so P0.5 (and the chain after it) runs on real prices; with
//! an entries file it also plays **paper positions** — a simulation, named so in every record
//! and log line, and the only place Harvest Lab makes up positions, only from a file the user
//! gives.
//!
//! Pure: [`candle`] (a bar as a cache member), [`paper`] (entries files, paper position
//! records), [`play`] (which bar is due when). I/O: [`service`].

pub mod candle;
pub mod paper;
pub mod play;
pub mod service;
