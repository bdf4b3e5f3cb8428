//! `harvest policy show --redis URL`: the AI policy store's record as P2.5 reads it (the
//! running system's fail-closed rules, `harvest_records::policy`): in force or not and why, its
//! version, hash and expiry, and the theta it gives. Harvest Lab never writes the policy store.

use std::io::{self, Write};

use clap::{Args, Subcommand};

use harvest_kernel::{Theta, ThetaField};
use harvest_records::num::py_float;
use harvest_records::policy::{saved_hash, InForce, ThetaSource};
use harvest_records::time::utc_text;
use harvest_redis::{Store, Timeouts};

use crate::error::{CliError, CliResult};
use crate::published::read_policy;

/// `harvest policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show `quantum:policy:current` as P2.5 reads it: in force (and the theta it gives) or why
    /// not. Exit status 0 a policy in force, 1 none (P2.5 computes with the default theta), 2
    /// Redis unreachable.
    Show(ShowArgs),
}

/// Options of `policy show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The Redis (`redis://127.0.0.1:6379/0`, `rediss://` for TLS).
    #[arg(long, value_name = "URL")]
    pub redis: String,
    /// The URL is a comma-separated list of Redis Cluster seed nodes.
    #[arg(long)]
    pub cluster: bool,
    /// Print JSON (the record's fields, the theta in force and its source) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `harvest policy …`: exit status 0 a policy in force, 1 none, 2 Redis unreadable.
pub fn run(cmd: &PolicyCommand, out: &mut impl Write) -> CliResult {
    let PolicyCommand::Show(args) = cmd;
    let timeouts = Timeouts {
        connect: std::time::Duration::from_secs(3),
        response: std::time::Duration::from_secs(30),
    };
    let read = Store::open(&args.redis, args.cluster, timeouts).and_then(|mut s| {
        s.connect()?;
        let line = read_policy(&mut s, "policy show")?;
        let update = s
            .newest_entries(harvest_records::keys::POLICY_STREAM, 1)?
            .ok()
            .and_then(|e| e.into_iter().next());
        Ok((line, update))
    });
    let (line, update) = match read {
        Ok(r) => r,
        Err(e) => {
            return Err(CliError::usage(
                "policy",
                format_args!(
                    "cannot read Redis at {}: {e}",
                    harvest_redis::redacted(&args.redis)
                ),
            ));
        }
    };
    let in_force = line.in_force();
    let code = if in_force.policy().is_some() {
        Ok(())
    } else {
        Err(CliError::found("policy"))
    };
    if args.json {
        let v = serde_json::json!({
            "key": line.key,
            "read_at": line.read_at,
            "fields": line.fields,
            "in_force": in_force,
            "saved_hash_matches": line.fields.get("policy_hash").map(|h| *h == saved_hash(&line.fields)),
            "last_update": update.map(|(id, f)| serde_json::json!({"id": id, "fields": f})),
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).map_err(io::Error::other)?
        )?;
        return code;
    }
    write!(
        out,
        "{}",
        text(&line.key, &line.fields, &in_force, line.read_at, update)
    )?;
    code
}

fn ago(secs: f64) -> String {
    let a = secs.abs();
    let t = if a < 90.0 {
        format!("{a:.0} s")
    } else if a < 5400.0 {
        format!("{:.0} min", a / 60.0)
    } else if a < 172_800.0 {
        format!("{:.1} h", a / 3600.0)
    } else {
        format!("{:.1} d", a / 86400.0)
    };
    if secs >= 0.0 {
        format!("in {t}")
    } else {
        format!("{t} ago")
    }
}

/// The text `policy show` prints.
fn text(
    key: &str,
    f: &harvest_records::Fields,
    in_force: &InForce,
    now: f64,
    update: Option<(String, harvest_records::Fields)>,
) -> String {
    let mut s = String::new();
    let mut line = |l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    match &in_force.source {
        ThetaSource::Policy { policy } => {
            line(format!(
                "{key}: in force: P2.5 computes with the theta below"
            ));
            line(format!("  policy_version   {}", policy.version));
            line(format!(
                "  policy_hash      {} (as the running system computes it on loading)",
                policy.hash
            ));
            line(format!(
                "  valid until      {} ({})",
                utc_text(policy.valid_until_epoch),
                if policy.valid_until_epoch.is_finite() {
                    ago(policy.valid_until_epoch - now)
                } else {
                    "never expires".to_string()
                }
            ));
            if let Some(n) = policy.universe_size {
                line(format!(
                    "  universe         {n} symbol{}",
                    if n == 1 { "" } else { "s" }
                ));
            }
            if !policy.ignored.is_empty() {
                line(format!(
                    "  not taken        {} (not tunables P2.5 reads from a policy; fallback_stop_pct is the publisher's FALLBACK_STOP_PCT)",
                    policy.ignored.join(", ")
                ));
            }
        }
        ThetaSource::Defaults { reason } => {
            line(format!("{key}: not in force: {reason}"));
            line("  P2.5 computes with the default theta below (fail-closed).".to_string());
            if let Some(v) = f.get("policy_version") {
                line(format!("  policy_version   {v}"));
            }
        }
        ThetaSource::Override { .. } => {}
    }
    if let Some(stored) = f.get("policy_hash") {
        let matches = *stored == saved_hash(f);
        line(format!(
            "  stored hash      {stored} ({})",
            if matches {
                "matches the fields: unchanged since the policy store saved it"
            } else {
                "does not match the fields: the record was changed after it was saved"
            }
        ));
    }
    if let Some((id, e)) = update {
        let at = id
            .split('-')
            .next()
            .and_then(|ms| ms.parse::<f64>().ok())
            .map(|ms| ms / 1000.0);
        line(format!(
            "  last update      {} entry {id}{}{}",
            harvest_records::keys::POLICY_STREAM,
            at.map(|t| format!(" ({})", utc_text(t)))
                .unwrap_or_default(),
            e.get("version")
                .map(|v| format!(", version {v}"))
                .unwrap_or_default()
        ));
    }
    line(String::new());
    line(
        "theta in force (fallback_stop_pct: the publisher's FALLBACK_STOP_PCT, 0.02 by default):"
            .to_string(),
    );
    let d = Theta::default();
    for field in ThetaField::ALL {
        let v = in_force.theta.get(field);
        let mark = if v.to_bits() != d.get(field).to_bits() {
            format!("   (default {})", py_float(d.get(field)))
        } else {
            String::new()
        };
        line(format!("  {:<19}{}{mark}", field.key(), py_float(v)));
    }
    s
}
