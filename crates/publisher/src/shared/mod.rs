//! What the services of the chain share: settings and the readers of flag / env-file values
//! ([`settings`]), the opt-in fixes ([`fixes`]), where positions come from ([`positions`]), the
//! cycle schedule, stop signals and backoff ([`schedule`]).

pub mod fixes;
pub mod positions;
pub mod schedule;
pub mod settings;
