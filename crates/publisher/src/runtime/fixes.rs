//! The opt-in fixes: where the running services compute something plainly unintended but
//! downstream services depend on it, Harvest Lab publishes the same by default and offers a named
//! fix. One setting lists them for every service (`--fix LIST`, environment `HARVEST_FIXES`, a
//! comma list), logged at start; a fix that belongs to another service is named and ignored.

use std::collections::BTreeSet;
use std::fmt;

/// The environment variable listing the fixes.
pub const ENV: &str = "HARVEST_FIXES";

/// A service of the chain (the one a fix belongs to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Service {
    /// P0.5, the market-state publisher.
    P05,
    /// P1.5, the risk proposal publisher.
    P15,
    /// P2.5, the harvest proposal publisher.
    P25,
}

impl Service {
    /// `P0.5`, `P1.5`, `P2.5`.
    pub fn name(self) -> &'static str {
        match self {
            Service::P05 => "P0.5",
            Service::P15 => "P1.5",
            Service::P25 => "P2.5",
        }
    }
}

/// A named opt-in fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fix {
    /// P2.5: age from the open time, the current SL from `stop_loss`, risk and cost scaled by the
    /// quantity (facts the position records carry and the running publisher ignores).
    FullFacts,
    /// P1.5: P1 computes with the market state's real `p_trend` (the running service passes 0.0).
    P1Trend,
}

impl Fix {
    /// Every fix.
    pub const ALL: [Fix; 2] = [Fix::FullFacts, Fix::P1Trend];

    /// Its name in the setting.
    pub fn name(self) -> &'static str {
        match self {
            Fix::FullFacts => "full-facts",
            Fix::P1Trend => "p1-trend",
        }
    }

    /// The service it changes.
    pub fn service(self) -> Service {
        match self {
            Fix::FullFacts => Service::P25,
            Fix::P1Trend => Service::P15,
        }
    }

    /// What it changes, in a few words.
    pub fn what(self) -> &'static str {
        match self {
            Fix::FullFacts => {
                "age from the open time, current SL from stop_loss, risk and cost scaled by the quantity"
            }
            Fix::P1Trend => "P1 uses the market state's real p_trend",
        }
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fix name that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fix {0:?} in --fix / HARVEST_FIXES: the fixes are full-facts (P2.5), p1-trend (P1.5); give a comma list, or nothing for none")]
pub struct FixError(pub String);

/// The fixes turned on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixes(BTreeSet<Fix>);

impl std::str::FromStr for Fixes {
    type Err = FixError;

    /// A comma (or blank) separated list of fix names, any case; empty or `none` for none.
    ///
    /// ```
    /// use harvest_publisher::runtime::fixes::{Fix, Fixes};
    /// let f: Fixes = " Full-Facts, p1-trend\r".parse().unwrap();
    /// assert!(f.has(Fix::FullFacts) && f.has(Fix::P1Trend));
    /// assert_eq!("none".parse::<Fixes>().unwrap(), Fixes::default());
    /// assert!("fullfacts".parse::<Fixes>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut set = BTreeSet::new();
        for name in s.split(|c: char| c == ',' || c.is_whitespace()) {
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() || name == "none" {
                continue;
            }
            let fix = Fix::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| FixError(name.clone()))?;
            set.insert(fix);
        }
        Ok(Fixes(set))
    }
}

impl Fixes {
    /// The given fixes.
    pub fn of(fixes: &[Fix]) -> Fixes {
        Fixes(fixes.iter().copied().collect())
    }

    /// Whether `fix` is on.
    pub fn has(&self, fix: Fix) -> bool {
        self.0.contains(&fix)
    }

    /// The start-up log line for `service`: the fixes it applies, and the listed ones that belong
    /// to another service (ignored here).
    ///
    /// ```
    /// use harvest_publisher::runtime::fixes::{Fix, Fixes, Service};
    /// assert_eq!(Fixes::default().log_line(Service::P25), "opt-in fixes: none (the running service's behaviour)");
    /// let f = Fixes::of(&[Fix::FullFacts, Fix::P1Trend]);
    /// assert_eq!(
    ///     f.log_line(Service::P25),
    ///     "opt-in fixes: full-facts (age from the open time, current SL from stop_loss, risk and cost scaled by the quantity); p1-trend is P1.5's: ignored here"
    /// );
    /// ```
    pub fn log_line(&self, service: Service) -> String {
        let mine: Vec<String> = self
            .0
            .iter()
            .filter(|f| f.service() == service)
            .map(|f| format!("{} ({})", f.name(), f.what()))
            .collect();
        let others: Vec<String> = self
            .0
            .iter()
            .filter(|f| f.service() != service)
            .map(|f| format!("{} is {}'s: ignored here", f.name(), f.service().name()))
            .collect();
        let mut line = if mine.is_empty() {
            "opt-in fixes: none (the running service's behaviour)".to_string()
        } else {
            format!("opt-in fixes: {}", mine.join(", "))
        };
        if !others.is_empty() {
            line.push_str("; ");
            line.push_str(&others.join("; "));
        }
        line
    }

    /// The fixes that are on, in order.
    pub fn iter(&self) -> impl Iterator<Item = Fix> + '_ {
        self.0.iter().copied()
    }
}
