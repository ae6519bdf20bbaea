//! The state loop: runs a machine from `StartAt` to a terminal state, one state at a time.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::catch;
use super::choice;
use super::clock::{Clock, TokioClock};
use super::context::Context;
use super::history::{HistoryEvent, Outcome, Status};
use super::parameters;
use super::paths::{self, Path};
use super::retry::{self, Rng};
use super::runner::{TaskError, TaskRunner};
use super::timestamp::Timestamp;
use crate::errors;
use crate::model::{Choice, Pass, State, StateMachine, Succeed, Task, Wait};

/// Default bound on the states one execution may enter (Step Functions' history limit).
pub const DEFAULT_MAX_TRANSITIONS: u64 = 25_000;

/// Runs a [`StateMachine`] in-process.
///
/// Build it once with its runners and clock, then call [`Interpreter::run`] for each
/// execution; executions may run concurrently.
pub struct Interpreter {
    machine: StateMachine,
    name: String,
    runners: HashMap<String, Arc<dyn TaskRunner>>,
    fallback: Option<Arc<dyn TaskRunner>>,
    clock: Arc<dyn Clock>,
    max_transitions: u64,
    seed: Option<u64>,
    executions: AtomicU64,
}

impl fmt::Debug for Interpreter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut resources: Vec<&String> = self.runners.keys().collect();
        resources.sort();
        f.debug_struct("Interpreter")
            .field("name", &self.name)
            .field("start_at", &self.machine.start_at)
            .field("resources", &resources)
            .field("fallback", &self.fallback.is_some())
            .field("max_transitions", &self.max_transitions)
            .finish_non_exhaustive()
    }
}

impl Interpreter {
    /// An interpreter for (a copy of) `machine`, with no runners, the [`TokioClock`] and
    /// [`DEFAULT_MAX_TRANSITIONS`].
    pub fn new(machine: &StateMachine) -> Self {
        Self {
            machine: machine.clone(),
            name: "state-machine".to_owned(),
            runners: HashMap::new(),
            fallback: None,
            clock: Arc::new(TokioClock),
            max_transitions: DEFAULT_MAX_TRANSITIONS,
            seed: None,
            executions: AtomicU64::new(0),
        }
    }

    /// Sets the state machine's name (`$$.StateMachine.Name`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
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
        self.runners.insert(resource.into(), Arc::new(runner));
        self
    }

    /// Runs Task states whose `Resource` has no runner of its own with `runner`. Without a
    /// fallback such a Task fails the execution with `States.Runtime`.
    #[must_use]
    pub fn fallback_runner(mut self, runner: impl TaskRunner + 'static) -> Self {
        self.fallback = Some(Arc::new(runner));
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

    async fn execute(&self, name: &str, n: u64, input: Value) -> Outcome {
        let seed = self.seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        let execution = Execution {
            interpreter: self,
            name,
            input: &input,
            start_time: self.clock.now(),
        };
        let mut journal = Journal {
            history: Vec::new(),
            rng: Rng::new(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        };
        let result = execution.run(input.clone(), &mut journal).await;
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

/// What does not change during one execution.
struct Execution<'a> {
    interpreter: &'a Interpreter,
    name: &'a str,
    input: &'a Value,
    start_time: SystemTime,
}

/// What an execution accumulates.
struct Journal {
    history: Vec<HistoryEvent>,
    rng: Rng,
}

/// How a state that did not fail the execution ended.
enum Step<'m> {
    /// It completed, going on to `next` (`None`: the execution ends with `output`).
    Done {
        output: Value,
        next: Option<&'m str>,
    },
    /// It failed and a catcher sends `output` on to `next`.
    Caught {
        error: TaskError,
        output: Value,
        next: &'m str,
    },
}

fn runtime(cause: impl Into<String>) -> TaskError {
    TaskError::new(errors::RUNTIME, cause)
}

impl<'a> Execution<'a> {
    fn context(
        &self,
        state_name: &'a str,
        entered_time: SystemTime,
        retry_count: u64,
    ) -> Context<'a> {
        Context {
            execution_name: self.name,
            execution_input: self.input,
            start_time: self.start_time,
            state_name,
            entered_time,
            retry_count,
            machine_name: &self.interpreter.name,
        }
    }

    async fn run(&self, mut input: Value, journal: &mut Journal) -> Result<Value, TaskError> {
        let machine = &self.interpreter.machine;
        let max = self.interpreter.max_transitions;
        let mut current = machine.start_at.as_str();
        let mut entered = 0u64;
        loop {
            if entered >= max {
                return Err(runtime(format!(
                    "the execution exceeded {max} state transitions (next state `{current}`)"
                )));
            }
            entered += 1;
            let Some((name, state)) = machine.states.get_key_value(current) else {
                return Err(runtime(format!("there is no state named `{current}`")));
            };
            let state_type = state.type_name();
            journal.history.push(HistoryEvent::StateEntered {
                name: name.clone(),
                state_type,
                input: input.clone(),
            });
            let context = self.context(name, self.interpreter.clock.now(), 0);
            let step = match state {
                State::Task(task) => self.task(task, input, context, journal).await,
                State::Pass(pass) => Self::pass(pass, input, &context),
                State::Choice(choice) => Self::choice(choice, input, &context),
                State::Wait(wait) => self.wait(wait, input, &context).await,
                State::Succeed(succeed) => Self::succeed(succeed, input, &context),
                State::Fail(fail) => Err(TaskError::new(
                    fail.error.clone().unwrap_or_default(),
                    fail.cause.clone().unwrap_or_default(),
                )),
            };
            match step {
                Ok(Step::Done { output, next }) => {
                    journal.history.push(HistoryEvent::StateExited {
                        name: name.clone(),
                        state_type,
                        output: output.clone(),
                        next: next.map(str::to_owned),
                    });
                    match next {
                        Some(next) => {
                            current = next;
                            input = output;
                        }
                        None => return Ok(output),
                    }
                }
                Ok(Step::Caught {
                    error,
                    output,
                    next,
                }) => {
                    journal.history.push(HistoryEvent::StateFailed {
                        name: name.clone(),
                        state_type,
                        error: error.error,
                        cause: error.cause,
                        caught_by: Some(next.to_owned()),
                    });
                    current = next;
                    input = output;
                }
                Err(error) => {
                    journal.history.push(HistoryEvent::StateFailed {
                        name: name.clone(),
                        state_type,
                        error: error.error.clone(),
                        cause: error.cause.clone(),
                        caught_by: None,
                    });
                    return Err(error);
                }
            }
        }
    }

    /// A Task with its `Retry` and `Catch`.
    async fn task(
        &self,
        task: &'a Task,
        input: Value,
        context: Context<'a>,
        journal: &mut Journal,
    ) -> Result<Step<'a>, TaskError> {
        let mut retries = vec![0u64; task.retry.len()];
        let mut retry_count = 0;
        loop {
            let context = Context {
                retry_count,
                ..context
            };
            let error = match self.task_attempt(task, &input, &context).await {
                Ok(output) => {
                    let next = transition(task.next.as_deref(), task.end)?;
                    return Ok(Step::Done { output, next });
                }
                Err(error) => error,
            };
            if error.error == errors::RUNTIME {
                return Err(error);
            }
            if let Some(i) = retry::find(&task.retry, &error.error)
                && let (Some(retrier), Some(count)) = (task.retry.get(i), retries.get_mut(i))
                && *count < retrier.max_attempts.unwrap_or(retry::DEFAULT_MAX_ATTEMPTS)
            {
                let delay = retry::backoff(retrier, *count);
                let delay = retry::jitter(retrier, delay, &mut journal.rng);
                *count += 1;
                retry_count += 1;
                journal.history.push(HistoryEvent::TaskRetried {
                    name: context.state_name.to_owned(),
                    attempt: *count,
                    error: error.error,
                    cause: error.cause,
                    delay,
                });
                self.interpreter.clock.sleep(delay).await;
                continue;
            }
            let Some(catcher) = catch::find(&task.catch, &error.error) else {
                return Err(error);
            };
            let output = catch::output(catcher, input, &error)?;
            return Ok(Step::Caught {
                error,
                output,
                next: &catcher.next,
            });
        }
    }

    /// One attempt: InputPath → Parameters → invoke → ResultSelector → ResultPath →
    /// OutputPath.
    async fn task_attempt(
        &self,
        task: &Task,
        raw: &Value,
        context: &Context<'_>,
    ) -> Result<Value, TaskError> {
        let effective = input_path(task.input_path.as_ref(), raw, context)?;
        let payload = match &task.parameters {
            Some(template) => parameters::apply(template, &effective, context)?,
            None => effective.into_owned(),
        };
        let result = self.invoke(task, payload).await?;
        let result = match &task.result_selector {
            Some(template) => parameters::apply(template, &result, context)?,
            None => result,
        };
        let combined = result_path(task.result_path.as_ref(), raw, result)?;
        output_path(task.output_path.as_ref(), combined, context)
    }

    /// Calls the Task's runner, bounded by its `TimeoutSeconds`.
    async fn invoke(&self, task: &Task, payload: Value) -> Result<Value, TaskError> {
        let runner = self
            .interpreter
            .runners
            .get(&task.resource)
            .or(self.interpreter.fallback.as_ref())
            .ok_or_else(|| {
                runtime(format!(
                    "no task runner is registered for resource `{}`",
                    task.resource
                ))
            })?;
        let call = runner.run(&task.resource, payload);
        let Some(seconds) = task.timeout_seconds else {
            return call.await;
        };
        let timer = self.interpreter.clock.timeout(Duration::from_secs(seconds));
        match race(call, timer).await {
            Some(result) => result,
            None => Err(TaskError::new(
                errors::TIMEOUT,
                format!("the task did not finish within {seconds} seconds"),
            )),
        }
    }

    /// InputPath → Parameters → Result → ResultPath → OutputPath.
    fn pass(pass: &'a Pass, raw: Value, context: &Context<'_>) -> Result<Step<'a>, TaskError> {
        let result = match (&pass.result, &pass.parameters) {
            (Some(result), _) => result.clone(),
            (None, template) => {
                let effective = input_path(pass.input_path.as_ref(), &raw, context)?;
                match template {
                    Some(template) => parameters::apply(template, &effective, context)?,
                    None => effective.into_owned(),
                }
            }
        };
        let combined = result_path(pass.result_path.as_ref(), &raw, result)?;
        let output = output_path(pass.output_path.as_ref(), combined, context)?;
        let next = transition(pass.next.as_deref(), pass.end)?;
        Ok(Step::Done { output, next })
    }

    /// InputPath → the first matching rule (or `Default`) → OutputPath.
    fn choice(
        choice: &'a Choice,
        raw: Value,
        context: &Context<'_>,
    ) -> Result<Step<'a>, TaskError> {
        let effective = input_path(choice.input_path.as_ref(), &raw, context)?;
        let mut next = None;
        for (i, rule) in choice.choices.iter().enumerate() {
            if choice::matches(rule, &effective, context)? {
                next = Some(
                    rule.next
                        .as_deref()
                        .ok_or_else(|| runtime(format!("Choices[{i}] matched but has no Next")))?,
                );
                break;
            }
        }
        let next = next.or(choice.default.as_deref()).ok_or_else(|| {
            TaskError::new(
                errors::NO_CHOICE_MATCHED,
                "no choice rule matched and there is no Default",
            )
        })?;
        let output = output_path(choice.output_path.as_ref(), effective.into_owned(), context)?;
        Ok(Step::Done {
            output,
            next: Some(next),
        })
    }

    /// InputPath → sleep through the clock → OutputPath.
    async fn wait(
        &self,
        wait: &'a Wait,
        raw: Value,
        context: &Context<'_>,
    ) -> Result<Step<'a>, TaskError> {
        let effective = input_path(wait.input_path.as_ref(), &raw, context)?.into_owned();
        let clock = &self.interpreter.clock;
        let until = |text: &str| {
            let target = Timestamp::parse(text)
                .ok_or_else(|| runtime(format!("`{text}` is not an RFC 3339 timestamp")))?;
            Ok::<_, TaskError>(
                target
                    .to_system_time()
                    .duration_since(clock.now())
                    .unwrap_or(Duration::ZERO),
            )
        };
        let resolve = |path: &str| {
            paths::resolve(path, &effective, context).map_err(|e| runtime(e.to_string()))
        };
        let duration = match (
            &wait.seconds,
            &wait.timestamp,
            &wait.seconds_path,
            &wait.timestamp_path,
        ) {
            (Some(seconds), _, _, _) => Duration::from_secs(*seconds),
            (_, Some(timestamp), _, _) => until(timestamp)?,
            (_, _, Some(path), _) => {
                let value = resolve(path)?;
                let seconds = value.as_u64().ok_or_else(|| {
                    runtime(format!(
                        "SecondsPath `{path}` is {value}, not a non-negative integer"
                    ))
                })?;
                Duration::from_secs(seconds)
            }
            (_, _, _, Some(path)) => {
                let value = resolve(path)?;
                let text = value.as_str().ok_or_else(|| {
                    runtime(format!(
                        "TimestampPath `{path}` is {value}, not a timestamp string"
                    ))
                })?;
                until(text)?
            }
            (None, None, None, None) => {
                return Err(runtime("the Wait state sets no duration or timestamp"));
            }
        };
        clock.sleep(duration).await;
        let output = output_path(wait.output_path.as_ref(), effective, context)?;
        let next = transition(wait.next.as_deref(), wait.end)?;
        Ok(Step::Done { output, next })
    }

    /// InputPath → OutputPath, then the execution ends.
    fn succeed(
        succeed: &Succeed,
        raw: Value,
        context: &Context<'_>,
    ) -> Result<Step<'a>, TaskError> {
        let effective = input_path(succeed.input_path.as_ref(), &raw, context)?.into_owned();
        let output = output_path(succeed.output_path.as_ref(), effective, context)?;
        Ok(Step::Done { output, next: None })
    }
}

/// Where a Task, Pass or Wait state goes: `Next`, or nowhere with `"End": true`.
fn transition(next: Option<&str>, end: Option<bool>) -> Result<Option<&str>, TaskError> {
    match (next, end) {
        (Some(next), _) => Ok(Some(next)),
        (None, Some(true)) => Ok(None),
        (None, _) => Err(runtime("the state has neither Next nor \"End\": true")),
    }
}

/// `InputPath`: absent keeps the raw input, `null` gives `{}`, a path selects from it.
fn input_path<'v>(
    path: Option<&Option<String>>,
    raw: &'v Value,
    context: &Context<'_>,
) -> Result<Cow<'v, Value>, TaskError> {
    match path {
        None => Ok(Cow::Borrowed(raw)),
        Some(None) => Ok(Cow::Owned(Value::Object(Map::new()))),
        Some(Some(path)) => {
            paths::resolve(path, raw, context).map_err(|e| runtime(format!("InputPath: {e}")))
        }
    }
}

/// `ResultPath`: absent replaces the raw input with the result, `null` keeps the raw input,
/// a reference path places the result inside (a copy of) the raw input.
fn result_path(
    path: Option<&Option<String>>,
    raw: &Value,
    result: Value,
) -> Result<Value, TaskError> {
    match path {
        None => Ok(result),
        Some(None) => Ok(raw.clone()),
        Some(Some(path)) => {
            let failure = |e: &dyn fmt::Display| {
                TaskError::new(
                    errors::RESULT_PATH_MATCH_FAILURE,
                    format!("ResultPath: {e}"),
                )
            };
            let path = Path::parse(path).map_err(|e| failure(&e))?;
            if path.as_str() == "$" {
                return Ok(result);
            }
            let mut combined = raw.clone();
            path.write(&mut combined, result).map_err(|e| failure(&e))?;
            Ok(combined)
        }
    }
}

/// `OutputPath`: absent keeps the value, `null` gives `{}`, a path selects from it.
fn output_path(
    path: Option<&Option<String>>,
    value: Value,
    context: &Context<'_>,
) -> Result<Value, TaskError> {
    match path {
        None => Ok(value),
        Some(None) => Ok(Value::Object(Map::new())),
        Some(Some(path)) => paths::resolve(path, &value, context)
            .map(Cow::into_owned)
            .map_err(|e| runtime(format!("OutputPath: {e}"))),
    }
}

/// Polls `work` and then `timer`; `None` when the timer completes first.
async fn race<T>(work: impl Future<Output = T>, timer: impl Future<Output = ()>) -> Option<T> {
    let mut work = std::pin::pin!(work);
    let mut timer = std::pin::pin!(timer);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(value) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}
