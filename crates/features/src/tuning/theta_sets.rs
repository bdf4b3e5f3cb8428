//! Saved theta sets and their storage form (localStorage): set names, the `@ <name>` +
//! `theta.harvest.*` text, and export file names.
//!
//! Pure and natively tested; each theta is read with the strict
//! [`import_theta`].

use crate::format::shorten;
use crate::theta::{import_theta, theta_to_lines, ThetaImportError};
use harvest_kernel::{KernelError, Theta};

/// localStorage key of the saved theta sets.
pub const THETA_SETS_KEY: &str = "harvest-lab.theta-sets.v1";
/// Longest name of a theta set, in characters.
pub const MAX_NAME_CHARS: usize = 60;

/// Why a theta set was not saved (each message is shown as the view's status line).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThetaSetError {
    /// The name is empty (or only spaces).
    #[error("Give the theta set a name first.")]
    EmptyName,
    /// The name has more than [`MAX_NAME_CHARS`] characters.
    #[error("The name is {chars} characters long; at most {MAX_NAME_CHARS} are allowed.")]
    NameTooLong {
        /// Its length in characters (trimmed).
        chars: usize,
    },
    /// The name has a control character (a line break, a tab, …).
    #[error("The name contains control characters.")]
    ControlCharacters,
    /// The kernel refuses the theta: every problem, `; `-separated.
    #[error("This theta is invalid, so it was not saved: {}", join_kernel_errors(.0))]
    InvalidTheta(Vec<KernelError>),
}

fn join_kernel_errors(errs: &[KernelError]) -> String {
    errs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A set name as saved: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control characters.
///
/// # Errors
/// [`ThetaSetError::EmptyName`], [`ThetaSetError::NameTooLong`] or
/// [`ThetaSetError::ControlCharacters`].
///
/// ```
/// use harvest_features::tuning::theta_sets::clean_name;
/// assert_eq!(clean_name("  strict kill "), Ok("strict kill".to_string()));
/// assert!(clean_name("   ").is_err());
/// assert!(clean_name(&"x".repeat(61)).is_err());
/// ```
pub fn clean_name(name: &str) -> Result<String, ThetaSetError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(ThetaSetError::EmptyName);
    }
    let chars = n.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(ThetaSetError::NameTooLong { chars });
    }
    if n.chars().any(char::is_control) {
        return Err(ThetaSetError::ControlCharacters);
    }
    Ok(n.to_string())
}

/// The saved theta sets, by name (sorted).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThetaSets {
    sets: Vec<(String, Theta)>,
}

impl ThetaSets {
    /// Reads the storage form ([`ThetaSets::to_storage`]): for each set a line `@ <name>`, then
    /// its `theta.harvest.<key>=<value>` lines. Each theta is read with the strict
    /// [`import_theta`]; a set that fails is skipped and described
    /// in the returned problems (the others load).
    ///
    /// ```
    /// use harvest_features::tuning::theta_sets::ThetaSets;
    /// let text = "@ a\ntheta.harvest.kill_threshold=0.5\n@ b\ntheta.harvest.kill=1\n";
    /// let (sets, problems) = ThetaSets::parse(text);
    /// assert_eq!(sets.names(), ["a"]);
    /// assert!(problems[0].contains("“b”") && problems[0].contains("kill"), "{problems:?}");
    /// assert_eq!(ThetaSets::parse("").0.len(), 0);
    /// ```
    pub fn parse(text: &str) -> (ThetaSets, Vec<String>) {
        let mut sets = ThetaSets::default();
        let mut problems = Vec::new();
        // (name, body) per set; text before the first `@` may only be comments.
        let mut blocks: Vec<(&str, String)> = Vec::new();
        let mut stray = false;
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("@ ") {
                blocks.push((name, String::new()));
            } else if let Some((_, body)) = blocks.last_mut() {
                body.push_str(line);
                body.push('\n');
            } else {
                let l = line.trim();
                stray |= !(l.is_empty() || l.starts_with('#'));
            }
        }
        if stray {
            problems.push(
                "Part of the saved theta sets could not be read (no “@ name” line before it)."
                    .to_string(),
            );
        }
        for (name, body) in blocks {
            let why = match (clean_name(name), import_theta(&body)) {
                (Ok(n), Ok(t)) => {
                    sets.put(n, t);
                    continue;
                }
                (Err(e), _) => e.to_string(),
                (_, Err(errs)) => join_errors(&errs),
            };
            problems.push(format!(
                "Saved theta set “{}” was skipped: {why}",
                shorten(name)
            ));
        }
        (sets, problems)
    }

    /// The storage form: a comment line, then per set `@ <name>` and its 22
    /// `theta.harvest.<key>=<value>` lines ([`theta_to_lines`]:
    /// every value reads back exactly).
    pub fn to_storage(&self) -> String {
        let mut out = String::from("# Harvest Lab theta sets: \"@ <name>\", then its tunables\n");
        for (n, t) in &self.sets {
            out.push_str("@ ");
            out.push_str(n);
            out.push('\n');
            out.push_str(&theta_to_lines(t));
        }
        out
    }

    /// The names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.sets.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Number of sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The theta saved under `name`.
    pub fn get(&self, name: &str) -> Option<Theta> {
        self.sets.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
    }

    /// Saves `theta` under `name` ([`clean_name`]); returns the saved name and whether it
    /// replaced a set of that name.
    ///
    /// # Errors
    /// A bad name ([`clean_name`]), or [`ThetaSetError::InvalidTheta`] with every problem the
    /// kernel names: nothing is saved.
    ///
    /// ```
    /// use harvest_kernel::{KernelError, Theta};
    /// use harvest_features::tuning::theta_sets::ThetaSets;
    /// let mut s = ThetaSets::default();
    /// assert_eq!(s.save(" b ", Theta::default()), Ok(("b".to_string(), false)));
    /// assert_eq!(s.save("a", Theta::default()), Ok(("a".to_string(), false)));
    /// assert_eq!(s.save("b", Theta { kill_threshold: 0.5, ..Theta::default() }), Ok(("b".to_string(), true)));
    /// assert_eq!(s.names(), ["a", "b"]);
    /// assert!(s.save("c", Theta { sigma_ref: 0.0, ..Theta::default() }).unwrap_err().to_string().contains("sigma_ref"));
    /// let (back, problems) = ThetaSets::parse(&s.to_storage());
    /// assert_eq!((back, problems.len()), (s, 0));
    /// ```
    pub fn save(&mut self, name: &str, theta: Theta) -> Result<(String, bool), ThetaSetError> {
        let n = clean_name(name)?;
        let errs = theta.validate_all();
        if !errs.is_empty() {
            return Err(ThetaSetError::InvalidTheta(errs));
        }
        let replaced = self.put(n.clone(), theta);
        Ok((n, replaced))
    }

    /// Deletes the set named `name`; whether there was one.
    pub fn delete(&mut self, name: &str) -> bool {
        let before = self.sets.len();
        self.sets.retain(|(n, _)| n != name);
        self.sets.len() != before
    }

    fn put(&mut self, name: String, theta: Theta) -> bool {
        match self.sets.binary_search_by(|(n, _)| n.as_str().cmp(&name)) {
            Ok(i) => {
                self.sets[i].1 = theta;
                true
            }
            Err(i) => {
                self.sets.insert(i, (name, theta));
                false
            }
        }
    }
}

fn join_errors(errs: &[ThetaImportError]) -> String {
    errs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A file name for an exported theta set: the set's name with anything but letters, digits,
/// `-` and `_` made `-`, then the extension (`theta` when there is no name).
///
/// ```
/// use harvest_features::tuning::theta_sets::export_file_name;
/// assert_eq!(export_file_name("strict kill 0.5", "json"), "strict-kill-0-5.json");
/// assert_eq!(export_file_name(" ", "theta"), "theta.theta");
/// ```
pub fn export_file_name(name: &str, ext: &str) -> String {
    let stem: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = if stem.is_empty() { "theta" } else { &stem };
    format!("{stem}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_kernel::ThetaField;

    #[test]
    fn theta_sets_skip_what_they_cannot_read() {
        let (s, p) = ThetaSets::parse("junk\n");
        assert!(s.is_empty() && p.len() == 1);
        let (s, p) = ThetaSets::parse(
            "# c\n@ ok\n\n@  \ntheta.harvest.u1=1\n@ range\ntheta.harvest.sigma_ref=0\n@ empty\n",
        );
        assert!(
            s.is_empty(),
            "an empty body, an empty name, a bad value: {s:?}"
        );
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p
            .iter()
            .any(|m| m.contains("“range”") && m.contains("sigma_ref")));
        let (s, p) = ThetaSets::parse("@ ok\ntheta.harvest.u1=1\n");
        assert!(p.is_empty());
        let mut s = s;
        assert_eq!(s.get("ok").map(|t| t.u1), Some(1.0));
        assert!(s.delete("ok"));
        assert!(!s.delete("ok"));
        assert!(ThetaSets::parse(&s.to_storage()).0.is_empty());
    }

    #[test]
    fn refused_saves_say_why() {
        let bad_theta = Theta {
            sigma_ref: 0.0,
            ..Theta::default()
        };
        let cases: [(&str, Theta, ThetaSetError, &str); 4] = [
            (
                "  ",
                Theta::default(),
                ThetaSetError::EmptyName,
                "Give the theta set a name first.",
            ),
            (
                &"é".repeat(61),
                Theta::default(),
                ThetaSetError::NameTooLong { chars: 61 },
                "The name is 61 characters long; at most 60 are allowed.",
            ),
            (
                "a\tb",
                Theta::default(),
                ThetaSetError::ControlCharacters,
                "The name contains control characters.",
            ),
            (
                "ok",
                bad_theta,
                ThetaSetError::InvalidTheta(bad_theta.validate_all()),
                "This theta is invalid, so it was not saved: theta.sigma_ref = 0 is out of range",
            ),
        ];
        for (name, theta, want, message) in cases {
            let mut s = ThetaSets::default();
            let got = s.save(name, theta).unwrap_err();
            assert_eq!(got, want, "{name:?}");
            assert!(got.to_string().starts_with(message), "{name:?}: {got}");
            assert!(s.is_empty(), "nothing is saved");
        }
    }

    #[test]
    fn theta_sets_keep_every_tunable_exactly() {
        let mut t = Theta::default();
        for (k, f) in ThetaField::ALL.into_iter().enumerate() {
            let r = f.spec().slider;
            t.set(f, r.min + (r.max - r.min) * (0.1 + 0.01 * k as f64) / 3.0);
        }
        // Keep T1 < T2 < T3.
        (t.t1_r, t.t2_r, t.t3_r) = (1.1, 2.3, 3.7);
        assert!(t.is_valid(), "{:?}", t.validate_all());
        let mut s = ThetaSets::default();
        s.save("odd", t).unwrap();
        let (back, p) = ThetaSets::parse(&s.to_storage());
        assert!(p.is_empty());
        assert_eq!(back.get("odd"), Some(t));
    }
}
