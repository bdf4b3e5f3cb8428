//! A research job run a trade at a time: [`Research::step`] works while its `more` says so and
//! returns, so a page (or its Web Worker) can report progress and stop between any two trades.
//! No threads here: the native shell runs [`ResearchPlan::run_task`] on every core instead and
//! gives the same results to [`build_report`].

use super::plan::{ResearchPlan, Task, TaskResult};
use super::report::{build_report, ReportError, ResearchReport};

/// A research job in progress.
#[derive(Debug, Clone)]
pub struct Research {
    /// The plan.
    pub plan: ResearchPlan,
    tasks: Vec<Task>,
    /// Results of the tasks done, in task order.
    pub results: Vec<TaskResult>,
    /// The task in progress.
    current: TaskResult,
    /// Trades simulated so far.
    done_trades: usize,
}

/// How far a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResearchProgress {
    /// Tasks done.
    pub tasks_done: usize,
    /// Tasks in all.
    pub tasks: usize,
    /// Trades simulated.
    pub trades_done: usize,
    /// Trades in all.
    pub trades: usize,
}

impl Research {
    /// A job over `plan`, nothing computed yet.
    pub fn new(plan: ResearchPlan) -> Research {
        let tasks = plan.tasks();
        Research {
            results: Vec::with_capacity(tasks.len()),
            tasks,
            plan,
            current: TaskResult::default(),
            done_trades: 0,
        }
    }

    /// Whether every task is done.
    pub fn done(&self) -> bool {
        self.results.len() >= self.tasks.len()
    }

    /// How far it is.
    pub fn progress(&self) -> ResearchProgress {
        ResearchProgress {
            tasks_done: self.results.len(),
            tasks: self.tasks.len(),
            trades_done: self.done_trades,
            trades: self.plan.total_trades(),
        }
    }

    /// Simulates trades while `more()` says so (at least one); true when every task is done.
    pub fn step(&mut self, mut more: impl FnMut() -> bool) -> bool {
        while !self.done() {
            let task = self.tasks[self.results.len()];
            let n = self.plan.blocks[task.block].entries.len();
            let k = self.current.r.len();
            if k == 0 && self.plan.thetas[task.column].is_err() {
                self.results.push(self.plan.run_task(task));
                self.done_trades += n;
            } else {
                let theta = self.plan.thetas[task.column]
                    .clone()
                    .unwrap_or(self.plan.settings.base);
                let base = task.column == self.plan.base_column();
                let (r, hold, trail) = self.plan.run_trade(task.block, k, &theta, base);
                self.current.r.push(r);
                if base {
                    self.current.hold.push(hold);
                    self.current.trail.push(trail);
                }
                self.done_trades += 1;
                if self.current.r.len() == n {
                    self.results.push(std::mem::take(&mut self.current));
                }
            }
            if !more() {
                break;
            }
        }
        self.done()
    }

    /// The report, once every task is done.
    ///
    /// # Errors
    /// [`ReportError`]: tasks left, or no valid cell in a window.
    pub fn report(&self) -> Result<ResearchReport, ReportError> {
        build_report(&self.plan, &self.results)
    }
}
