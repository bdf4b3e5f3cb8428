//! The fuzz targets' driver, dev-only (feature `test-support`; the benches `fuzz_prices`,
//! `harvest-cli`'s `fuzz_lines` and `harvest-publisher`'s `fuzz_fields` use it): the command line
//! (`--cases N`, `--seed S`; 10⁶ cases under `cargo bench`, a smoke count under `cargo test`), a
//! proptest runner seeded from the seed (ChaCha, no failure persistence, 2,000 shrink steps),
//! and the summary line. Not public API.

use std::process::ExitCode;

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
    /// use harvest_market::fuzz::Fuzz;
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

    /// Runs `check` on the cases of `strategy`, then prints `name: N unit (seed S) in T s:
    /// summary`; a failing case is shrunk and printed on stderr, and the exit status is 1.
    pub fn run<S: Strategy>(
        self,
        strategy: S,
        check: impl Fn(S::Value) -> Result<(), TestCaseError>,
        summary: impl FnOnce() -> String,
    ) -> ExitCode {
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
        let result = runner.run(&strategy, check);
        println!(
            "{}: {} {} (seed {}) in {:.1} s: {}",
            self.name,
            self.cases,
            self.unit,
            self.seed,
            t0.elapsed().as_secs_f64(),
            summary()
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
