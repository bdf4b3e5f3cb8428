//! Reviewing published proposals: the records P2.5 (`harvest publish`, or the running system's
//! publisher) writes to Redis, hash `quantum:harvest:proposal:<SYM>` and stream
//! `quantum:stream:harvest.proposal`. The record itself (keys, fields, number text, reading) is
//! `harvest_records::published`'s; this module verifies one.
//!
//! A record carrying `proposal_json` (ours) is verified exactly: the proposal in it is recomputed
//! from its audit, and the hash's own fields are checked against the recomputation too. A record
//! without it (the running system's own) is verified as that publisher computes: theta is the
//! one in force (the policy's, `--theta`, or the defaults), the side as it reads one (LONG only
//! for exactly `LONG`), P1's stop distance is taken as `risk_unit / entry_price` (qty 1), and a
//! proposed stop is checked against the break-even-plus level; the row lists what could not be
//! checked ([`Unchecked`]). A record whose key names another symbol than the record is INVALID.
//! Pure: the CLI and the dashboard's Live view and reviewer call it.

use harvest_kernel::echo::Echo;
use harvest_kernel::{
    be_plus_level, compare, propose, FieldDiff, RecordedOutput, Theta, Tolerance, Verdict,
};
use harvest_records::policy::InForce;
use harvest_records::position::running_side;
pub use harvest_records::published::{
    looks_published, number, parse_record, recorded_output, running_input, PositionContext,
    PublishedError, Record, FIELDS as PUBLISHED_FIELDS,
};
pub use harvest_records::Fields;

pub use super::row::Unchecked;
use super::row::{review_proposal, review_record, RecordKind, ReviewRow};
use super::second_opinion::second_opinion;

/// Prefix of the proposal hashes; the symbol follows (`quantum:harvest:proposal:BTCUSDT`).
pub const HASH_PREFIX: &str = harvest_records::keys::PROPOSAL_PREFIX;

/// The stream the publisher appends every published proposal to (with `--enable-stream`).
pub const STREAM_KEY: &str = harvest_records::keys::PROPOSAL_STREAM;

/// What a review of published records may use besides the record: the theta in force for
/// records without `proposal_json` (and where it comes from), and when the records (and their
/// position records) were read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The theta in force; `None`: the defaults.
    pub in_force: Option<InForce>,
    /// When the records were read (Unix seconds): the age of a position from its open time.
    pub read_at: Option<f64>,
}

impl Context {
    /// A context with a user's theta (`--theta`) or none.
    pub fn with_theta(theta: Option<&Theta>) -> Context {
        Context {
            in_force: theta.map(|t| InForce::user(*t, "--theta".to_string())),
            read_at: None,
        }
    }

    /// The context of a policy line (a `harvest snapshot` file's first line, the Live view's
    /// `policy` event): the policy in force when it was read, unless `theta` overrides it.
    ///
    /// ```
    /// use harvest_records::fields::Fields;
    /// use harvest_records::policy::{PolicyLine, ThetaSource};
    /// use harvest_features::reviewer::published::Context;
    /// let line = PolicyLine { key: "quantum:policy:current".into(), fields: Fields::new(), read_at: 5.0 };
    /// let c = Context::of_policy(&line, None);
    /// assert!(matches!(c.in_force.unwrap().source, ThetaSource::Defaults { .. }));
    /// assert_eq!(c.read_at, Some(5.0));
    /// ```
    pub fn of_policy(line: &harvest_records::policy::PolicyLine, theta: Option<&Theta>) -> Context {
        Context {
            in_force: Some(match theta {
                Some(t) => InForce::user(*t, "--theta".to_string()),
                None => line.in_force(),
            }),
            read_at: Some(line.read_at),
        }
    }

    fn theta(&self) -> Option<Theta> {
        self.in_force.as_ref().map(|t| t.theta)
    }
}

/// Reviews one published record (1-based `line`, or the position in a Redis listing).
///
/// With `proposal_json`: exact, as a proposal is reviewed; the hash's own fields are compared
/// with the recomputation too (their diffs are named `hash.<field>`), and the context's theta is
/// ignored (the audit has the theta used). Without: the running publisher's computation with the
/// theta in force, and the row's `unchecked` saying what was assumed. The verdict is MATCH,
/// MISMATCH or INVALID (a field unreadable, or a key of another symbol: the error names it).
///
/// ```
/// use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict};
/// use harvest_records::published::{record, Record};
/// use harvest_features::reviewer::published::{review, Context};
/// let p = propose(&HarvestInput::default()).unwrap();
/// let mut f = record(&p, 1_700_000_000, true);
/// let row = review(1, &Record::of(f.clone()), &Tolerance::default(), &Context::default());
/// assert_eq!(row.verdict, Verdict::Match);
/// assert!(row.unchecked.is_empty());
/// f.remove("proposal_json");
/// let row = review(1, &Record::of(f), &Tolerance::default(), &Context::default());
/// assert_eq!(row.verdict, Verdict::Match);
/// assert!(row.unchecked.iter().any(|u| u.field == "theta"));
/// ```
pub fn review(line: usize, r: &Record, tol: &Tolerance, ctx: &Context) -> ReviewRow {
    let f = &r.fields;
    let symbol = f.get("symbol").cloned().unwrap_or_default();
    let invalid = |e: String| {
        let mut row = ReviewRow::invalid(line, RecordKind::Published, e);
        row.symbol = symbol.clone();
        row.side = f.get("position_side").map(|s| running_side(s));
        row.recorded_action = f.get("harvest_action").cloned();
        row
    };
    if let Some(e) = f.get("read_error") {
        return invalid(e.clone());
    }
    if let Some(e) = key_problem(f) {
        return invalid(e);
    }
    let recorded = match recorded_output(f) {
        Ok(r) => r,
        Err(e) => return invalid(e.to_string()),
    };
    let mut row = if let Some(json) = f.get("proposal_json").filter(|j| !j.trim().is_empty()) {
        let row = exact(line, json, recorded, tol, symbol.clone());
        let expected =
            harvest_records::published::key_symbol(f).or(f.get("symbol").map(String::as_str));
        if let Some(exp) = expected.filter(|e| {
            row.verdict != Verdict::Invalid && !row.symbol.is_empty() && *e != row.symbol
        }) {
            let mut bad = invalid(format!(
                "proposal_json is {}'s proposal, in the record of {}{}: a record copied under another key",
                Echo(&row.symbol),
                Echo(exp),
                f.get("key").map(|k| format!(" ({})", Echo(k))).unwrap_or_default()
            ));
            bad.symbol = exp.to_string();
            return bad;
        }
        row
    } else {
        match partial(line, f, recorded, tol, ctx) {
            Ok(row) => row,
            Err(e) => return invalid(e.to_string()),
        }
    };
    // The second opinion, from the input as the publisher computed (the audit's, or the running
    // publisher's reading of the fields).
    let base = if f.contains_key("proposal_json") {
        row.input.clone()
    } else {
        running_input(f, ctx.theta().as_ref()).ok()
    };
    if row.verdict != Verdict::Invalid {
        row.second_opinion = second_opinion(f, base.as_ref(), r.position.as_ref(), ctx.read_at);
    }
    row
}

/// A record whose `key` names another symbol than its `symbol` field.
fn key_problem(f: &Fields) -> Option<String> {
    let key_sym = harvest_records::published::key_symbol(f)?;
    let sym = f.get("symbol")?;
    (sym != key_sym).then(|| {
        format!(
            "symbol = {:?} but the key {} is {}'s: a record copied under another key",
            Echo(sym),
            Echo(&f["key"]),
            Echo(key_sym)
        )
    })
}

fn partial(
    line: usize,
    f: &Fields,
    recorded: RecordedOutput,
    tol: &Tolerance,
    ctx: &Context,
) -> Result<ReviewRow, PublishedError> {
    let theta = ctx.theta();
    let mut input = running_input(f, theta.as_ref())?;
    let symbol = input.position.symbol.clone();
    let t = theta.unwrap_or_default();
    let entry = input.position.entry_price;
    let be = be_plus_level(input.position.side, entry, &t);
    // No current stop is published. A recorded stop is checked against the BE+ level (the
    // kernel proposes it whenever R_net ≥ lock_R and no stop is set); a recorded `None` is made
    // consistent by a current stop at that level (BE+ then does not tighten it), and flagged
    // as unchecked when R_net reached lock_R.
    if recorded.new_sl_proposed.is_none() {
        input.position.current_sl = Some(be);
    }
    let mut unchecked = vec![
        Unchecked {
            field: "theta".to_string(),
            why: match &ctx.in_force {
                Some(t) => format!("not published: checked against the {}", t.describe()),
                None => "not published: checked against the default theta".to_string(),
            },
        },
        Unchecked {
            field: "risk_unit".to_string(),
            why: "P1's stop distance and the quantity are not published: taken as \
                  risk_unit / position_entry_price with qty 1"
                .to_string(),
        },
        Unchecked {
            field: "audit.tranche_weights".to_string(),
            why: "not published".to_string(),
        },
    ];
    let mut row = review_record(
        line,
        RecordKind::Published,
        input,
        Some(recorded.clone()),
        tol,
    );
    row.symbol = symbol;
    if recorded.new_sl_proposed.is_none() && row.r_net.is_some_and(|r| r >= t.lock_r) {
        unchecked.push(Unchecked {
            field: "new_sl_proposed".to_string(),
            why: "R_net reached lock_R but the position's current stop is not published: \
                  whether the break-even-plus level would tighten it is unknown"
                .to_string(),
        });
    }
    row.unchecked = unchecked;
    Ok(row)
}

fn exact(
    line: usize,
    json: &str,
    flat: RecordedOutput,
    tol: &Tolerance,
    symbol: String,
) -> ReviewRow {
    let mut row = review_proposal(line, json, tol);
    row.kind = RecordKind::Published;
    if row.verdict == Verdict::Invalid {
        row.error = row
            .error
            .map(|e| PublishedError::ProposalJson { message: e }.to_string());
        if row.symbol.is_empty() {
            row.symbol = symbol;
        }
        return row;
    }
    // The hash's own fields against the recomputation (a publisher could write them wrong).
    if let Some(input) = &row.input {
        if let Ok(p) = propose(input) {
            let mut flat = flat;
            flat.k_components = flat.k_components.or(Some(p.audit.k_components));
            row.diffs
                .extend(compare(&flat, &p, tol).into_iter().map(|d| FieldDiff {
                    field: format!("hash.{}", d.field),
                    ..d
                }));
        }
    }
    if !row.diffs.is_empty() {
        row.verdict = Verdict::Mismatch;
    }
    if row.symbol.is_empty() {
        row.symbol = symbol;
    }
    row
}

/// Reviews one published record's fields ([`review`] without a position record).
pub fn review_fields(line: usize, f: &Fields, tol: &Tolerance, ctx: &Context) -> ReviewRow {
    review(line, &Record::of(f.clone()), tol, ctx)
}

/// Reviews one line of text holding a published record ([`parse_record`], then [`review`]);
/// INVALID with the reason when it cannot be read.
///
/// ```
/// use harvest_kernel::{Tolerance, Verdict};
/// use harvest_features::reviewer::published::{review_published, Context};
/// let row = review_published(3, r#"{"harvest_action":"NONE"}"#, &Tolerance::default(), &Context::default());
/// assert_eq!(row.verdict, Verdict::Invalid);
/// assert_eq!(row.error.as_deref(), Some("new_sl_proposed is missing"));
/// ```
pub fn review_published(line: usize, text: &str, tol: &Tolerance, ctx: &Context) -> ReviewRow {
    match parse_record(text) {
        Ok(r) => review(line, &r, tol, ctx),
        Err(e) => ReviewRow::invalid(line, RecordKind::Published, e.to_string()),
    }
}

/// A symbol's published records over time (oldest first) as far as the Live view keeps them:
/// the K values for its sparkline, at most `cap`.
///
/// ```
/// use harvest_features::reviewer::published::push_capped;
/// let mut h = vec![0.1, 0.2];
/// push_capped(&mut h, 0.3, 2);
/// assert_eq!(h, [0.2, 0.3]);
/// ```
pub fn push_capped(history: &mut Vec<f64>, value: f64, cap: usize) {
    history.push(value);
    if history.len() > cap {
        let extra = history.len() - cap;
        history.drain(..extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::{propose, HarvestInput};
    use harvest_records::published::record as record_from_proposal;

    fn input(pnl: f64, sl: Option<f64>, p_trend: f64, age: f64) -> HarvestInput {
        let mut i = HarvestInput::default();
        i.position.unrealized_pnl = pnl;
        i.position.current_sl = sl;
        i.position.age_sec = age;
        i.market_state.p_trend = p_trend;
        i.market_state.p_mr = (1.0 - p_trend) / 2.0;
        i.market_state.p_chop = (1.0 - p_trend) / 2.0;
        i
    }

    fn fields(i: &HarvestInput, json: bool) -> Fields {
        record_from_proposal(&propose(i).unwrap(), 1_700_000_000, json)
    }

    fn with(mut f: Fields, edits: &[(&str, Option<&str>)]) -> Fields {
        for (k, v) in edits {
            match v {
                Some(v) => f.insert(k.to_string(), v.to_string()),
                None => f.remove(*k),
            };
        }
        f
    }

    fn unchecked(row: &ReviewRow) -> Vec<&str> {
        row.unchecked.iter().map(|u| u.field.as_str()).collect()
    }

    #[test]
    fn exact_records_verify_or_name_the_diff() {
        let base = input(5.0, Some(99.0), 0.6, 3600.0);
        let tol = Tolerance::default();
        // (record, verdict, diff fields)
        let json_r = {
            let mut p = propose(&base).unwrap();
            p.r_net += 1.0;
            serde_json::to_string(&p).unwrap()
        };
        let cases: Vec<(&str, Fields, Verdict, Vec<&str>)> = vec![
            ("own output", fields(&base, true), Verdict::Match, vec![]),
            (
                "killed, old, no trend",
                fields(&input(1.0, None, 0.05, 80_000.0), true),
                Verdict::Match,
                vec![],
            ),
            (
                "hash field edited",
                with(fields(&base, true), &[("kill_score", Some("0.9"))]),
                Verdict::Mismatch,
                vec!["hash.kill_score"],
            ),
            (
                "hash action edited",
                with(
                    fields(&base, true),
                    &[("harvest_action", Some("PARTIAL_75"))],
                ),
                Verdict::Mismatch,
                vec!["hash.harvest_action"],
            ),
            (
                "proposal_json edited",
                with(fields(&base, true), &[("proposal_json", Some(&json_r))]),
                Verdict::Mismatch,
                vec!["R_net"],
            ),
        ];
        for (name, f, verdict, diffs) in cases {
            let row = review_fields(1, &f, &tol, &Context::default());
            assert_eq!(row.verdict, verdict, "{name}: {:?}", row.diffs);
            let got: Vec<&str> = row.diffs.iter().map(|d| d.field.as_str()).collect();
            assert_eq!(got, diffs, "{name}");
            assert!(
                row.unchecked.is_empty(),
                "{name}: exact has nothing unchecked"
            );
            assert_eq!(row.kind, RecordKind::Published);
            assert_eq!(row.symbol, "BTCUSDT");
        }
    }

    #[test]
    fn partial_records_check_what_they_can() {
        let tol = Tolerance::default();
        let t_custom = Theta {
            cost_bps: 20.0,
            ..Theta::default()
        };
        // (name, input, edits, theta, verdict, diff fields, unchecked extra)
        type Case<'a> = (
            &'a str,
            HarvestInput,
            Vec<(&'a str, Option<&'a str>)>,
            Option<Theta>,
            Verdict,
            Vec<&'a str>,
            bool,
        );
        let cases: Vec<Case> = vec![
            (
                "flat, no lock",
                input(0.5, Some(99.0), 0.6, 3600.0),
                vec![],
                None,
                Verdict::Match,
                vec![],
                false,
            ),
            (
                "partial 25 with lock",
                input(5.0, Some(99.0), 0.6, 3600.0),
                vec![],
                None,
                Verdict::Match,
                vec![],
                false,
            ),
            (
                "lock, stop already tight",
                input(5.0, Some(100.5), 0.6, 3600.0),
                vec![],
                None,
                Verdict::Match,
                vec![],
                true,
            ),
            (
                "killed",
                input(1.0, None, 0.05, 80_000.0),
                vec![],
                None,
                Verdict::Match,
                vec![],
                false,
            ),
            (
                "stop off the BE+ level",
                input(5.0, Some(99.0), 0.6, 3600.0),
                vec![("new_sl_proposed", Some("100.5"))],
                None,
                Verdict::Mismatch,
                vec!["new_sl_proposed"],
                false,
            ),
            (
                "stop where R_net is below lock_R",
                input(0.5, Some(99.0), 0.6, 3600.0),
                vec![("new_sl_proposed", Some("100.2"))],
                None,
                Verdict::Mismatch,
                vec!["new_sl_proposed"],
                false,
            ),
            (
                "K edited",
                input(0.5, Some(99.0), 0.6, 3600.0),
                vec![("kill_score", Some("0.7"))],
                None,
                Verdict::Mismatch,
                vec!["kill_score"],
                false,
            ),
            (
                "component edited",
                input(0.5, Some(99.0), 0.6, 3600.0),
                vec![("k_age_penalty", Some("0.9"))],
                None,
                Verdict::Mismatch,
                vec!["audit.k_components.age_penalty"],
                false,
            ),
            (
                "other theta than the publisher's",
                input(5.0, Some(99.0), 0.6, 3600.0),
                vec![],
                Some(t_custom),
                Verdict::Mismatch,
                vec!["R_net", "cost_est"],
                false,
            ),
        ];
        for (name, i, edits, theta, verdict, diffs, sl_unchecked) in cases {
            let f = with(fields(&i, false), &edits);
            let row = review_fields(4, &f, &tol, &Context::with_theta(theta.as_ref()));
            assert_eq!(row.verdict, verdict, "{name}: {:?}", row.diffs);
            let got: Vec<&str> = row.diffs.iter().map(|d| d.field.as_str()).collect();
            assert_eq!(got, diffs, "{name}");
            let mut want = vec!["theta", "risk_unit", "audit.tranche_weights"];
            if sl_unchecked {
                want.push("new_sl_proposed");
            }
            assert_eq!(unchecked(&row), want, "{name}");
            assert_eq!(row.line, 4);
        }
    }

    #[test]
    fn unreadable_fields_are_named() {
        let good = fields(&input(0.5, Some(99.0), 0.6, 3600.0), false);
        type Edits<'a> = Vec<(&'a str, Option<&'a str>)>;
        let cases: Vec<(Edits, &str)> = vec![
            (vec![("sigma", Some("abc"))], "sigma = \"abc\" is not a number"),
            (vec![("R_net", None)], "R_net is missing"),
            (vec![("position_side", None)], "position_side is missing"),
            (
                vec![("harvest_action", Some("SELL_ALL"))],
                "harvest_action = \"SELL_ALL\" is not one of NONE, PARTIAL_25, PARTIAL_50, PARTIAL_75, FULL_CLOSE_PROPOSED",
            ),
            (vec![("new_sl_proposed", Some("soon"))], "new_sl_proposed = \"soon\" is not a number"),
            (vec![("position_entry_price", Some("-1"))], "position.entry_price = -1 is out of range"),
            (vec![("proposal_json", Some("{\"audit\": 1}"))], "proposal_json: "),
        ];
        for (edits, want) in cases {
            let row = review_fields(
                2,
                &with(good.clone(), &edits),
                &Tolerance::default(),
                &Context::default(),
            );
            assert_eq!(row.verdict, Verdict::Invalid, "{edits:?}");
            let err = row.error.unwrap_or_default();
            assert!(err.starts_with(want), "{edits:?}: {err}");
        }
    }

    #[test]
    fn record_text_forms() {
        let f = fields(&HarvestInput::default(), true);
        let [object, flat] = harvest_records::samples::record_texts(&f);
        for text in [&object, &flat] {
            assert!(looks_published(text), "{text}");
            assert_eq!(parse_record(text).unwrap().fields, f);
            let row = review_published(1, text, &Tolerance::default(), &Context::default());
            assert_eq!(row.verdict, Verdict::Match);
        }
        for bad in ["[1, 2]", "[\"a\"]", "3", "{\"a\": [1]}"] {
            let e = parse_record(bad).unwrap_err();
            assert!(matches!(e, PublishedError::NotRecord { .. }), "{bad}: {e}");
        }
        let e = parse_record("{\"harvest_action\": \"NO").unwrap_err();
        assert!(e.to_string().starts_with("not JSON: "), "{e}");
        // A file that is one flat record (redis-cli -2 --json) is one record, not an array of
        // records; a file of records as `harvest snapshot` writes them, through the loader.
        let (rows, _) = crate::reviewer::verify::review_text(&flat, &Tolerance::default());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].verdict, Verdict::Match);
        let mut loader = crate::reviewer::Loader::new(Tolerance::default());
        loader.feed(format!("{object}\n{object}\n").as_bytes());
        loader.finish();
        let rows = loader.step(|| true);
        assert_eq!(
            rows.iter().map(|r| (r.line, r.kind)).collect::<Vec<_>>(),
            [(1, RecordKind::Published), (2, RecordKind::Published)]
        );
        // Through the reviewer's own entry point (the loader and `harvest verify` use it).
        let row = crate::reviewer::verify::review_line(9, object.as_bytes(), &Tolerance::default())
            .unwrap();
        assert_eq!(
            (row.line, row.kind, row.verdict),
            (9, RecordKind::Published, Verdict::Match)
        );
        let proposal = serde_json::to_string(&propose(&HarvestInput::default()).unwrap()).unwrap();
        assert!(!looks_published(&proposal));
    }
}
