//! The interpreter: a state machine with its task runners, clock and limits, which runs
//! executions.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::clock::{Clock, within};
use super::context::ExecutionFacts;
use super::execution::Execution;
use super::history::{Outcome, Status};
use super::payload;
use super::random::Rng;
use super::runner::{Runners, TaskError, TaskRunner};
use super::timestamp;
use super::workflow::{Journal, Subworkflows, Workflow};
use crate::errors;
use crate::model::StateMachine;

/// Default bound on the states one execution may enter (Step Functions' history limit).
pub const DEFAULT_MAX_TRANSITIONS: u64 = 25_000;

/// The region the context object's ARNs name unless [`Interpreter::region`] sets one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The account the context object's ARNs name unless [`Interpreter::account_id`] sets one
/// (the documentation's example account, moto's default).
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// Runs a [`StateMachine`] in-process.
///
/// Build it once with its runners and clock, then call [`Interpreter::run`] for each
/// execution; executions may run concurrently.
pub struct Interpreter {
    machine: StateMachine,
    name: String,
    region: String,
    account_id: String,
    role_arn: Option<String>,
    runners: Runners,
    clock: Arc<dyn Clock>,
    max_transitions: u64,
    seed: Option<u64>,
    executions: AtomicU64,
}

impl fmt::Debug for Interpreter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut resources: Vec<&String> = self.runners.by_resource.keys().collect();
        resources.sort();
        f.debug_struct("Interpreter")
            .field("name", &self.name)
            .field("start_at", &self.machine.start_at)
            .field("resources", &resources)
            .field("fallback", &self.runners.fallback.is_some())
            .field("max_transitions", &self.max_transitions)
            .finish_non_exhaustive()
    }
}

impl Interpreter {
    /// An interpreter for (a copy of) `machine`, with no runners, the [`TokioClock`] and
    /// [`DEFAULT_MAX_TRANSITIONS`].
    #[cfg(feature = "tokio")]
    pub fn new(machine: &StateMachine) -> Self {
        Self::with_clock(machine, super::clock::TokioClock)
    }

    /// An interpreter for (a copy of) `machine`, with no runners, `clock` and
    /// [`DEFAULT_MAX_TRANSITIONS`].
    pub fn with_clock(machine: &StateMachine, clock: impl Clock + 'static) -> Self {
        Self {
            machine: machine.clone(),
            name: "state-machine".to_owned(),
            region: DEFAULT_REGION.to_owned(),
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            role_arn: None,
            runners: Runners::default(),
            clock: Arc::new(clock),
            max_transitions: DEFAULT_MAX_TRANSITIONS,
            seed: None,
            executions: AtomicU64::new(0),
        }
    }

    /// Sets the state machine's name (`$$.StateMachine.Name`, and the last part of its
    /// ARN, `$$.StateMachine.Id`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the region the ARNs of the context object name (`$$.StateMachine.Id`,
    /// `$$.Execution.Id`), and so their partition (`aws-cn` for `cn-…`, `aws-us-gov` for
    /// `us-gov-…`); [`DEFAULT_REGION`] otherwise.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Sets the account the ARNs of the context object name; [`DEFAULT_ACCOUNT_ID`]
    /// otherwise.
    #[must_use]
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = account_id.into();
        self
    }

    /// Sets the execution role (`$$.Execution.RoleArn`); otherwise the role the console
    /// creates, `arn:<partition>:iam::<account>:role/service-role/StepFunctions-<name>-role`.
    #[must_use]
    pub fn role_arn(mut self, role_arn: impl Into<String>) -> Self {
        self.role_arn = Some(role_arn.into());
        self
    }

    /// Runs Task states whose `Resource` is exactly `resource` with `runner`. Pass an
    /// `Arc` to share one runner between resources.
    #[must_use]
    pub fn runner(
        mut self,
        resource: impl Into<String>,
        runner: impl TaskRunner + 'static,
    ) -> Self {
        self.runners
            .by_resource
            .insert(resource.into(), Arc::new(runner));
        self
    }

    /// Runs Task states whose `Resource` has no runner of its own with `runner`. Without a
    /// fallback such a Task fails the execution with `States.Runtime`.
    #[must_use]
    pub fn fallback_runner(mut self, runner: impl TaskRunner + 'static) -> Self {
        self.runners.fallback = Some(Arc::new(runner));
        self
    }

    /// Sets the clock for Wait states, retry backoff, Task timeouts and timestamps.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Fails an execution with `States.Runtime` when it is about to enter more than `max`
    /// states (a guard against endless loops).
    #[must_use]
    pub fn max_transitions(mut self, max: u64) -> Self {
        self.max_transitions = max;
        self
    }

    /// Seeds the `"JitterStrategy": "FULL"` random delays, making them reproducible.
    #[must_use]
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The machine this interpreter runs.
    pub fn machine(&self) -> &StateMachine {
        &self.machine
    }

    /// Runs one execution with `input`, named `execution-<n>`.
    pub async fn run(&self, input: Value) -> Outcome {
        let n = self.executions.fetch_add(1, Ordering::Relaxed);
        self.execute(&format!("execution-{n}"), n, input).await
    }

    /// Runs one execution named `name` (`$$.Execution.Name`) with `input`.
    pub async fn run_named(&self, name: &str, input: Value) -> Outcome {
        let n = self.executions.fetch_add(1, Ordering::Relaxed);
        self.execute(name, n, input).await
    }

    /// The context object's facts about the execution `name` of this machine, starting now
    /// with `input`.
    fn facts<'a>(&'a self, name: &'a str, input: &'a Value) -> ExecutionFacts<'a> {
        let partition = partition(&self.region);
        let (region, account, machine) = (&self.region, &self.account_id, &self.name);
        let role_arn = self.role_arn.clone().unwrap_or_else(|| {
            format!("arn:{partition}:iam::{account}:role/service-role/StepFunctions-{machine}-role")
        });
        ExecutionFacts {
            id: format!("arn:{partition}:states:{region}:{account}:execution:{machine}:{name}"),
            name,
            input,
            role_arn,
            start_time: timestamp::format(self.clock.now()),
            state_machine_id: format!(
                "arn:{partition}:states:{region}:{account}:stateMachine:{machine}"
            ),
            state_machine_name: machine,
        }
    }

    async fn execute(&self, name: &str, n: u64, input: Value) -> Outcome {
        let seed = self.seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        let execution = Execution {
            runners: &self.runners,
            clock: self.clock.as_ref(),
            max_transitions: self.max_transitions,
            facts: self.facts(name, &input),
            rng: Rng::new(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        };
        let mut journal = Journal::default();
        let workflow = Workflow {
            start_at: &self.machine.start_at,
            states: &self.machine.states,
            language: self.machine.query_language.unwrap_or_default(),
        };
        let result = match payload::check(&input, "the execution input") {
            Ok(()) => {
                let run = execution.run(workflow, input.clone(), None, &mut journal);
                match self.machine.timeout_seconds {
                    None => run.await,
                    Some(seconds) => within(self.clock.as_ref(), Duration::from_secs(seconds), run)
                        .await
                        .unwrap_or_else(|| {
                            Err(TaskError::new(
                                errors::TIMEOUT,
                                format!("the execution did not finish within {seconds} seconds"),
                            ))
                        }),
                }
            }
            Err(error) => Err(error),
        };
        // A state the execution timeout stopped ends aborted.
        journal.abort();
        let history = journal.history;
        match result {
            Ok(output) => Outcome {
                status: Status::Succeeded,
                output: Some(output),
                error: None,
                cause: None,
                history,
            },
            Err(error) => Outcome {
                status: Status::Failed,
                output: None,
                error: Some(error.error).filter(|e| !e.is_empty()),
                cause: Some(error.cause).filter(|c| !c.is_empty()),
                history,
            },
        }
    }
}

/// The AWS partition of `region`.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}
