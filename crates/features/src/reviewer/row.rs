//! One reviewed record ([`ReviewRow`]) and the review of a parsed record or a proposal's JSON:
//! the part of the reviewer every record kind shares (proposals, inputs, published records).

use harvest_kernel::echo::clip_message;
use serde::{Deserialize, Serialize};

use harvest_kernel::{
    compare, propose, FieldDiff, HarvestAction, HarvestInput, KComponents, MarketState, P1Proposal,
    Position, Proposal, ReasonCode, RecordedOutput, Side, Theta, Tolerance, Verdict,
};

/// What a record turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A proposal with its `audit`.
    Proposal,
    /// An input `{position, market_state, p1_proposal?, theta?}`.
    Input,
    /// A record P2.5 published to Redis (string fields, see [`super::published`]).
    Published,
    /// Unreadable.
    Unknown,
}

impl RecordKind {
    /// `"proposal"`, `"input"` or `"unknown"` (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Proposal => "proposal",
            RecordKind::Input => "input",
            RecordKind::Published => "published",
            RecordKind::Unknown => "unknown",
        }
    }
}

/// The review of one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// 1-based line number in the file.
    pub line: usize,
    /// MATCH / MISMATCH / INVALID / COMPUTED.
    pub verdict: Verdict,
    /// Proposal or input.
    pub kind: RecordKind,
    /// Position symbol (empty when unreadable).
    pub symbol: String,
    /// Position side.
    pub side: Option<Side>,
    /// The action the record carries (proposals only).
    pub recorded_action: Option<String>,
    /// The kernel's action.
    pub action: Option<HarvestAction>,
    /// The kernel's R_net.
    #[serde(rename = "R_net")]
    pub r_net: Option<f64>,
    /// The kernel's K.
    pub kill_score: Option<f64>,
    /// The kernel's reason codes.
    pub reason_codes: Vec<ReasonCode>,
    /// Field-level differences (MISMATCH only).
    pub diffs: Vec<FieldDiff>,
    /// Why the record is INVALID.
    pub error: Option<String>,
    /// What a published record without `proposal_json` did not let us check.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<Unchecked>,
    /// A published record's second opinion: what the kernel says with the facts the running
    /// publisher ignores (not part of the verdict).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_opinion: Option<super::second_opinion::SecondOpinion>,
    /// The record's inputs, to open in the explorer (not exported).
    #[serde(skip)]
    pub input: Option<HarvestInput>,
    /// The recorded outputs, shown beside the explorer (not exported).
    #[serde(skip)]
    pub recorded: Option<RecordedOutput>,
}

impl ReviewRow {
    pub(crate) fn invalid(line: usize, kind: RecordKind, error: String) -> Self {
        ReviewRow {
            line,
            verdict: Verdict::Invalid,
            kind,
            symbol: String::new(),
            side: None,
            recorded_action: None,
            action: None,
            r_net: None,
            kill_score: None,
            reason_codes: Vec::new(),
            diffs: Vec::new(),
            error: Some(error),
            unchecked: Vec::new(),
            second_opinion: None,
            input: None,
            recorded: None,
        }
    }
}

#[derive(Deserialize)]
struct AuditIn {
    position: Position,
    market_state: MarketState,
    #[serde(default)]
    p1_proposal: Option<P1Proposal>,
    #[serde(default)]
    theta: Option<Theta>,
    #[serde(default)]
    tranche_weights: Option<[f64; 3]>,
    #[serde(default)]
    k_components: Option<KComponents>,
}

#[derive(Deserialize)]
struct ProposalIn {
    harvest_action: String,
    #[serde(default)]
    new_sl_proposed: Option<f64>,
    #[serde(rename = "R_net")]
    r_net: f64,
    risk_unit: f64,
    cost_est: f64,
    kill_score: f64,
    reason_codes: Vec<String>,
    audit: AuditIn,
}

/// Why a record's JSON was refused: the JSON path of the first problem and serde's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Not the expected shape; `path` is empty for the whole value.
    #[error("{}{}", if .path.is_empty() { String::new() } else { format!("{}: ", clip_message(.path)) }, clip_message(.message))]
    Invalid {
        /// Where (`market_state.sigma`), empty for the top level.
        path: String,
        /// serde's message (`invalid type: string "NaN", expected f64`).
        message: String,
    },
    /// More after the value.
    #[error("trailing characters after the record: {0}")]
    Trailing(String),
}

/// Parses one JSON value from text with the JSON path of the first problem in the message.
///
/// # Errors
/// [`JsonError`]: `"<path>: <serde message>"`, e.g.
/// `market_state.sigma: invalid type: string "NaN", expected f64`.
///
/// ```
/// use harvest_kernel::HarvestInput;
/// use harvest_features::reviewer::verify::parse_json;
/// let err = parse_json::<HarvestInput>(r#"{"position": {"side": "LONG"}, "market_state": {}}"#)
///     .unwrap_err()
///     .to_string();
/// assert!(err.starts_with("position: missing field `entry_price`"), "{err}");
/// ```
pub fn parse_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        JsonError::Invalid {
            path: if path == "." { String::new() } else { path },
            message: e.into_inner().to_string(),
        }
    })?;
    de.end().map_err(|e| JsonError::Trailing(e.to_string()))?;
    Ok(value)
}

/// A field (or input) a record without `proposal_json` does not let us check, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unchecked {
    /// The output field or input concerned, e.g. `new_sl_proposed` or `theta`.
    pub field: String,
    /// Why it could not be checked, and what was assumed instead.
    pub why: String,
}

/// Reviews one proposal's JSON text (with its `audit`): recomputed from the audit's inputs and
/// theta and compared field by field; INVALID naming the JSON path when it cannot be read.
///
/// ```
/// use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict};
/// use harvest_features::reviewer::verify::review_proposal;
/// let p = serde_json::to_string(&propose(&HarvestInput::default()).unwrap()).unwrap();
/// assert_eq!(review_proposal(1, &p, &Tolerance::default()).verdict, Verdict::Match);
/// ```
pub fn review_proposal(line: usize, text: &str, tol: &Tolerance) -> ReviewRow {
    let kind = RecordKind::Proposal;
    match parse_json::<ProposalIn>(text) {
        Ok(p) => {
            let recorded = RecordedOutput {
                harvest_action: p.harvest_action,
                new_sl_proposed: p.new_sl_proposed,
                r_net: p.r_net,
                risk_unit: p.risk_unit,
                cost_est: p.cost_est,
                kill_score: p.kill_score,
                reason_codes: p.reason_codes,
                k_components: p.audit.k_components,
                tranche_weights: p.audit.tranche_weights,
            };
            let input = HarvestInput {
                position: p.audit.position,
                market_state: p.audit.market_state,
                p1_proposal: p.audit.p1_proposal,
                theta: p.audit.theta,
            };
            review_record(line, kind, input, Some(recorded), tol)
        }
        Err(e) => ReviewRow::invalid(line, kind, e.to_string()),
    }
}

/// Reviews an already parsed record: recomputes `input` and compares with `recorded` if any.
pub fn review_record(
    line: usize,
    kind: RecordKind,
    input: HarvestInput,
    recorded: Option<RecordedOutput>,
    tol: &Tolerance,
) -> ReviewRow {
    let symbol = input.position.symbol.clone();
    let side = Some(input.position.side);
    let recorded_action = recorded.as_ref().map(|r| r.harvest_action.clone());
    let proposal: Proposal = match propose(&input) {
        Ok(p) => p,
        Err(e) => {
            let mut row = ReviewRow::invalid(line, kind, e.to_string());
            row.symbol = symbol;
            row.side = side;
            row.recorded_action = recorded_action;
            row.input = Some(input);
            row.recorded = recorded;
            return row;
        }
    };
    let diffs = recorded
        .as_ref()
        .map(|r| compare(r, &proposal, tol))
        .unwrap_or_default();
    let verdict = match (&recorded, diffs.is_empty()) {
        (None, _) => Verdict::Computed,
        (Some(_), true) => Verdict::Match,
        (Some(_), false) => Verdict::Mismatch,
    };
    ReviewRow {
        line,
        verdict,
        kind,
        symbol,
        side,
        recorded_action,
        action: Some(proposal.harvest_action),
        r_net: Some(proposal.r_net),
        kill_score: Some(proposal.kill_score),
        reason_codes: proposal.reason_codes,
        diffs,
        error: None,
        unchecked: Vec::new(),
        second_opinion: None,
        input: Some(input),
        recorded,
    }
}
