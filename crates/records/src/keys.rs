//! The Redis keys and streams of the running system that Harvest Lab reads or writes.

/// Prefix of P0.5's market state hashes (`quantum:marketstate:<SYM>`).
pub const MARKET_STATE_PREFIX: &str = "quantum:marketstate:";
/// P0.5's market-state stream.
pub const MARKET_STATE_STREAM: &str = "quantum:stream:marketstate";
/// Prefix of P1.5's risk proposal hashes (`quantum:risk:proposal:<SYM>`).
pub const RISK_PROPOSAL_PREFIX: &str = "quantum:risk:proposal:";
/// P1.5's risk proposal stream.
pub const RISK_PROPOSAL_STREAM: &str = "quantum:stream:risk.proposal";
/// Prefix of the position hashes (`quantum:state:positions:<SYM>`), written by the apply layer
/// and the exchange sync.
pub const POSITION_PREFIX: &str = "quantum:state:positions:";
/// The execution stream P2.5 reads positions from when no symbol has a position hash.
pub const EXECUTION_STREAM: &str = "quantum:stream:execution";
/// Prefix of the published harvest proposals (`quantum:harvest:proposal:<SYM>`).
pub const PROPOSAL_PREFIX: &str = "quantum:harvest:proposal:";
/// The stream every full publish is appended to (with `--enable-stream`).
pub const PROPOSAL_STREAM: &str = "quantum:stream:harvest.proposal";
/// The AI policy store's current policy (a hash).
pub const POLICY_KEY: &str = "quantum:policy:current";
/// The stream the policy store appends an entry to on every new policy.
pub const POLICY_STREAM: &str = "quantum:stream:policy.update";

/// `quantum:marketstate:<SYM>`.
pub fn market_state_key(symbol: &str) -> String {
    format!("{MARKET_STATE_PREFIX}{symbol}")
}

/// `quantum:risk:proposal:<SYM>`.
pub fn risk_proposal_key(symbol: &str) -> String {
    format!("{RISK_PROPOSAL_PREFIX}{symbol}")
}

/// `quantum:state:positions:<SYM>`.
pub fn position_key(symbol: &str) -> String {
    format!("{POSITION_PREFIX}{symbol}")
}

/// `quantum:harvest:proposal:<SYM>`.
///
/// ```
/// use harvest_records::keys::{proposal_key, symbol_of};
/// let k = proposal_key("BTCUSDT");
/// assert_eq!(k, "quantum:harvest:proposal:BTCUSDT");
/// assert_eq!(symbol_of(&k), Some("BTCUSDT"));
/// ```
pub fn proposal_key(symbol: &str) -> String {
    format!("{PROPOSAL_PREFIX}{symbol}")
}

/// The symbol at the end of a per-symbol key of any of the prefixes above (`None` for another
/// key, or an empty symbol).
pub fn symbol_of(key: &str) -> Option<&str> {
    [
        PROPOSAL_PREFIX,
        POSITION_PREFIX,
        MARKET_STATE_PREFIX,
        RISK_PROPOSAL_PREFIX,
    ]
    .iter()
    .find_map(|p| key.strip_prefix(p))
    .filter(|s| !s.is_empty())
}
