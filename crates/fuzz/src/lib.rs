//! The fuzz targets' driver, a dev-only crate (the benches `harvest-market`'s `fuzz_prices`,
//! `harvest-cli`'s `fuzz_lines` and `harvest-publisher`'s `fuzz_fields` have it as a
//! dev-dependency): the command line (`--cases N`, `--seed S`; 10⁶ cases under `cargo bench`, a
//! smoke count under `cargo test`), a proptest runner seeded from the seed (ChaCha, no failure
//! persistence, 2,000 shrink steps), and the summary line. Each target gives its case
//! strategy, its checks and its counts.

use std::cell::RefCell;
use std::process::ExitCode;

use proptest::prop_assert;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// A fuzz target's run, as its command line asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fuzz {
    /// The target's name (the summary's prefix).
    pub name: &'static str,
    /// What a case is, plural (`cases`, `files`).
    pub unit: &'static str,
    /// How many cases.
    pub cases: u64,
    /// The seed of the case generator.
    pub seed: u64,
}

impl Fuzz {
    /// The run `args` ask for: `--cases N` (default 10⁶ with `--bench`, which `cargo bench`
    /// passes, else `smoke`), `--seed S` (default 18).
    ///
    /// ```
    /// use harvest_fuzz::Fuzz;
    /// let args = ["fuzz", "--bench", "--seed", "7"].map(String::from);
    /// let f = Fuzz::of_args("fuzz_x", "cases", 1_000, &args);
    /// assert_eq!((f.cases, f.seed), (1_000_000, 7));
    /// ```
    pub fn of_args(name: &'static str, unit: &'static str, smoke: u64, args: &[String]) -> Fuzz {
        let arg = |flag: &str| {
            args.iter()
                .position(|a| a == flag)
                .and_then(|i| args.get(i + 1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        let bench = args.iter().any(|a| a == "--bench");
        Fuzz {
            name,
            unit,
            cases: arg("--cases").unwrap_or(if bench { 1_000_000 } else { smoke }),
            seed: arg("--seed").unwrap_or(18),
        }
    }

    /// [`Fuzz::of_args`] of this process's arguments.
    pub fn from_env(name: &'static str, unit: &'static str, smoke: u64) -> Fuzz {
        let args: Vec<String> = std::env::args().collect();
        Fuzz::of_args(name, unit, smoke, &args)
    }

    /// Runs `check` on the cases of `strategy` (with the target's counts `C`), then prints
    /// `name: N unit (seed S) in T s: summary(counts)`; a failing case is shrunk and printed on
    /// stderr, and the exit status is 1.
    pub fn run<S: Strategy, C: Default>(
        self,
        strategy: S,
        check: impl Fn(S::Value, &RefCell<C>) -> Result<(), TestCaseError>,
        summary: impl FnOnce(&C) -> String,
    ) -> ExitCode {
        let counts = RefCell::new(C::default());
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&self.seed.to_le_bytes());
        let config = Config {
            cases: u32::try_from(self.cases).unwrap_or(u32::MAX),
            failure_persistence: None,
            max_shrink_iters: 2_000,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
        let t0 = std::time::Instant::now();
        let result = runner.run(&strategy, |v| check(v, &counts));
        println!(
            "{}: {} {} (seed {}) in {:.1} s: {}",
            self.name,
            self.cases,
            self.unit,
            self.seed,
            t0.elapsed().as_secs_f64(),
            summary(&counts.into_inner())
        );
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}: FAILED: {e}", self.name);
                ExitCode::FAILURE
            }
        }
    }
}

/// The bounds of every message a target's code writes about bad input (`what` names where it
/// came from): at most `max_bytes`, no run of more than 100 characters of the input (the cases'
/// long runs are of `Z`), no number of more than 40 digits.
///
/// # Errors
/// The bound it breaks, with the message's first 300 characters.
///
/// ```
/// use harvest_fuzz::check_message;
/// assert!(check_message("import", "line 3: bad close \"x\"", 1000).is_ok());
/// assert!(check_message("import", &"Z".repeat(101), 1000).is_err());
/// assert!(check_message("import", &"1".repeat(41), 1000).is_err());
/// ```
pub fn check_message(what: &str, m: &str, max_bytes: usize) -> Result<(), TestCaseError> {
    let head: String = m.chars().take(300).collect();
    prop_assert!(
        m.len() <= max_bytes,
        "{}: {} bytes: {}…",
        what,
        m.len(),
        head
    );
    prop_assert!(
        !m.contains(&"Z".repeat(101)),
        "{}: echoes a long run of the input: {}…",
        what,
        head
    );
    let digits = m
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    prop_assert!(
        digits <= 40,
        "{}: a number of {} digits: {}",
        what,
        digits,
        head
    );
    Ok(())
}
