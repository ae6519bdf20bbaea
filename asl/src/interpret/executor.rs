//! The state loop: runs a machine from `StartAt` to a terminal state, one state at a time.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::{Duration, SystemTime};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::catch;
use super::choice;
use super::clock::Clock;
use super::concurrency::BoxFuture;
use super::context::Context;
use super::history::{HistoryEvent, Outcome, Status};
use super::io_processing::{self, Completion, input_path, output_path, runtime};
use super::jsonata_states;
use super::parameters;
use super::paths;
use super::payload;
use super::random::Rng;
use super::retry;
use super::runner::{TaskError, TaskRunner};
use super::timestamp::Timestamp;
use super::variables::{self, Variables};
use crate::errors;
use crate::model::{
    Branch, Choice, Fail, Pass, QueryLanguage, State, StateMachine, Succeed, Task, Wait,
};

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
            runners: HashMap::new(),
            fallback: None,
            clock: Arc::new(clock),
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
                let run = execution.run_states(workflow, input.clone(), None, &mut journal);
                match self.machine.timeout_seconds {
                    None => run.await,
                    Some(seconds) => {
                        let timer = self.clock.timeout(Duration::from_secs(seconds));
                        race(run, timer).await.unwrap_or_else(|| {
                            Err(TaskError::new(
                                errors::TIMEOUT,
                                format!("the execution did not finish within {seconds} seconds"),
                            ))
                        })
                    }
                }
            }
            Err(error) => Err(error),
        };
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
pub(super) struct Execution<'a> {
    interpreter: &'a Interpreter,
    name: &'a str,
    input: &'a Value,
    start_time: SystemTime,
    rng: Rng,
}

/// What a (sub-)workflow accumulates.
#[derive(Debug, Default)]
pub(super) struct Journal {
    /// Its events, those of its sub-workflows included.
    pub history: Vec<HistoryEvent>,
    /// The states it entered.
    pub entered: u64,
    /// Whether it ended with a terminal error (a state's own input or output over the
    /// payload quota), which no retrier or catcher around it handles.
    pub terminal: bool,
}

/// The states of a machine, a Parallel branch or a Map processor.
#[derive(Debug, Clone, Copy)]
pub(super) struct Workflow<'a> {
    pub start_at: &'a str,
    pub states: &'a IndexMap<String, State>,
    /// The query language of states that do not name one.
    pub language: QueryLanguage,
}

impl<'a> Workflow<'a> {
    /// A branch or processor inside a workflow whose language is `language`.
    pub fn of(branch: &'a Branch, language: QueryLanguage) -> Self {
        Self {
            start_at: &branch.start_at,
            states: &branch.states,
            language: branch.query_language.unwrap_or(language),
        }
    }
}

/// What a completed state yields besides its output: the variables it assigns.
pub(super) type Assigned = Option<Map<String, Value>>;

/// How a state that did not fail the execution ended.
enum Step<'m> {
    /// It completed, going on to `next` (`None`: the workflow ends with `output`).
    Done {
        output: Value,
        next: Option<&'m str>,
        assigned: Assigned,
    },
    /// It failed and a catcher sends `output` on to `next`.
    Caught {
        error: TaskError,
        output: Value,
        next: &'m str,
        assigned: Assigned,
    },
}

impl<'a> Execution<'a> {
    fn context<'c>(
        &'c self,
        state_name: &'c str,
        entered_time: SystemTime,
        variables: &'c Variables<'c>,
    ) -> Context<'c> {
        Context {
            execution_name: self.name,
            execution_input: self.input,
            start_time: self.start_time,
            state_name,
            entered_time,
            retry_count: 0,
            machine_name: &self.interpreter.name,
            variables: (!variables.is_empty()).then_some(variables),
            map_item: None,
            rng: &self.rng,
        }
    }

    /// Runs `workflow` from its `StartAt` with `input` in a variable scope inside `outer`.
    pub(super) fn run_states<'c>(
        &'c self,
        workflow: Workflow<'a>,
        input: Value,
        outer: Option<&'c Variables<'c>>,
        journal: &'c mut Journal,
    ) -> BoxFuture<'c, Result<Value, TaskError>> {
        Box::pin(async move {
            let max = self.interpreter.max_transitions;
            let mut variables = Variables::new(outer);
            let mut current = workflow.start_at;
            let mut input = input;
            loop {
                if journal.entered >= max {
                    return Err(runtime(format!(
                        "the execution exceeded {max} state transitions (next state `{current}`)"
                    )));
                }
                journal.entered += 1;
                let Some((name, state)) = workflow.states.get_key_value(current) else {
                    return Err(runtime(format!("there is no state named `{current}`")));
                };
                let state_type = state.type_name();
                journal.history.push(HistoryEvent::StateEntered {
                    name: name.clone(),
                    state_type,
                    input: input.clone(),
                });
                let context = self.context(name, self.interpreter.clock.now(), &variables);
                let language = state.query_language().unwrap_or(workflow.language);
                let step = self.state(state, input, context, language, journal).await;
                // A state's own output (or a Pass state's input after `Parameters`) over
                // the quota is terminal.
                let step = match step {
                    Ok(step) => {
                        let (Step::Done { output, .. } | Step::Caught { output, .. }) = &step;
                        payload::check_result(output, name).map(|()| step)
                    }
                    Err(error) => Err(error),
                };
                if let Err(error) = &step
                    && error.error == errors::DATA_LIMIT_EXCEEDED
                    && matches!(state, State::Pass(_))
                {
                    journal.terminal = true;
                }
                match step {
                    Ok(Step::Done {
                        output,
                        next,
                        assigned,
                    }) => {
                        journal.history.push(HistoryEvent::StateExited {
                            name: name.clone(),
                            state_type,
                            output: output.clone(),
                            next: next.map(str::to_owned),
                        });
                        if let Some(assigned) = assigned {
                            variables.set(assigned);
                        }
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
                        assigned,
                    }) => {
                        journal.history.push(HistoryEvent::StateFailed {
                            name: name.clone(),
                            state_type,
                            error: error.error,
                            cause: error.cause,
                            caught_by: Some(next.to_owned()),
                        });
                        if let Some(assigned) = assigned {
                            variables.set(assigned);
                        }
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
        })
    }

    /// Runs one state.
    async fn state(
        &self,
        state: &'a State,
        input: Value,
        context: Context<'_>,
        language: QueryLanguage,
        journal: &mut Journal,
    ) -> Result<Step<'a>, TaskError> {
        match state {
            State::Task(_) | State::Map(_) | State::Parallel(_) => {
                self.retrying(state, input, context, language, journal)
                    .await
            }
            _ if language == QueryLanguage::JsonAta => {
                self.jsonata_state(state, input, &context).await
            }
            State::Pass(pass) => Self::pass(pass, input, &context),
            State::Choice(choice) => Self::choice(choice, input, &context),
            State::Wait(wait) => self.wait(wait, input, &context).await,
            State::Succeed(succeed) => Self::succeed(succeed, input, &context),
            State::Fail(fail) => Err(Self::fail(fail, &input, &context)),
        }
    }

    /// A Pass, Choice, Wait, Succeed or Fail state in the JSONata query language.
    async fn jsonata_state(
        &self,
        state: &'a State,
        input: Value,
        context: &Context<'_>,
    ) -> Result<Step<'a>, TaskError> {
        let done = |(output, assigned): (Value, Assigned), next: Option<&'a str>| Step::Done {
            output,
            next,
            assigned,
        };
        match state {
            State::Pass(pass) => {
                if pass.result.is_some() {
                    // The guide: `Result` is JSONPath only (`Output` is JSONata's).
                    return Err(runtime(
                        "Result is a JSONPath field; a JSONata Pass state outputs its Output",
                    ));
                }
                let next = transition(pass.next.as_deref(), pass.end)?;
                let completed = jsonata_states::pass_through(
                    pass.output.as_ref(),
                    pass.assign.as_ref(),
                    input,
                    context,
                )?;
                Ok(done(completed, next))
            }
            State::Choice(choice) => {
                let (next, output, assigned) = jsonata_states::choose(choice, input, context)?;
                Ok(done((output, assigned), Some(next)))
            }
            State::Wait(wait) => {
                let next = transition(wait.next.as_deref(), wait.end)?;
                let duration = self.jsonata_wait_duration(wait, &input, context)?;
                self.interpreter.clock.sleep(duration).await;
                let completed = jsonata_states::pass_through(
                    wait.output.as_ref(),
                    wait.assign.as_ref(),
                    input,
                    context,
                )?;
                Ok(done(completed, next))
            }
            State::Succeed(succeed) => {
                let completed =
                    jsonata_states::pass_through(succeed.output.as_ref(), None, input, context)?;
                Ok(done(completed, None))
            }
            State::Fail(fail) => Err(jsonata_states::fail(fail, &input, context)),
            State::Task(_) | State::Map(_) | State::Parallel(_) => Err(runtime(format!(
                "a {} state runs with its Retry and Catch",
                state.type_name()
            ))),
        }
    }

    /// The clock's current time.
    pub(super) fn now(&self) -> SystemTime {
        self.interpreter.clock.now()
    }

    /// A Task, Map or Parallel state with its `Retry` and `Catch`.
    async fn retrying(
        &self,
        state: &'a State,
        input: Value,
        context: Context<'_>,
        language: QueryLanguage,
        journal: &mut Journal,
    ) -> Result<Step<'a>, TaskError> {
        let (retriers, catchers) = (state.retriers(), state.catchers());
        let mut retries = vec![0u64; retriers.len()];
        let mut retry_count = 0;
        loop {
            let context = Context {
                retry_count,
                ..context
            };
            let attempt = match state {
                State::Task(task) if language == QueryLanguage::JsonAta => {
                    self.jsonata_task_attempt(task, &input, &context).await
                }
                State::Task(task) => self.task_attempt(task, &input, &context).await,
                State::Map(map) => {
                    self.map_attempt(map, &input, &context, language, journal)
                        .await
                }
                State::Parallel(parallel) => {
                    self.parallel_attempt(parallel, &input, &context, language, journal)
                        .await
                }
                _ => Err(runtime(format!(
                    "a {} state has no retry",
                    state.type_name()
                ))),
            };
            let error = match attempt {
                Ok((output, assigned)) => {
                    let next = transition(state.next(), Some(state.is_end()))?;
                    return Ok(Step::Done {
                        output,
                        next,
                        assigned,
                    });
                }
                Err(error) => error,
            };
            if retry::is_terminal(&error.error) || journal.terminal {
                return Err(error);
            }
            if let Some(i) = retry::find(retriers, &error.error)
                && let (Some(retrier), Some(count)) = (retriers.get(i), retries.get_mut(i))
                && *count < retrier.max_attempts.unwrap_or(retry::DEFAULT_MAX_ATTEMPTS)
            {
                let delay = retry::backoff(retrier, *count);
                let delay = retry::jitter(retrier, delay, &self.rng);
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
            let Some(catcher) = catch::find(catchers, &error.error) else {
                return Err(error);
            };
            let (output, assigned) = if language == QueryLanguage::JsonAta {
                jsonata_states::caught(catcher, &input, &error, &context)?
            } else {
                let assigned = catcher
                    .assign
                    .as_ref()
                    .map(|assign| variables::evaluate(assign, &error.to_error_output(), &context))
                    .transpose()?;
                (catch::output(catcher, input, &error)?, assigned)
            };
            return Ok(Step::Caught {
                error,
                output,
                next: &catcher.next,
                assigned,
            });
        }
    }

    /// One attempt: InputPath → Parameters → invoke → ResultSelector → Assign → ResultPath
    /// → OutputPath.
    async fn task_attempt(
        &self,
        task: &Task,
        raw: &Value,
        context: &Context<'_>,
    ) -> Result<(Value, Assigned), TaskError> {
        let effective = input_path(task.input_path.as_ref(), raw, context)?;
        let timeout = match (task.timeout_seconds, &task.timeout_seconds_path) {
            (Some(seconds), _) => Some(seconds),
            (None, Some(path)) => Some(positive_seconds(
                "TimeoutSecondsPath",
                path,
                &effective,
                context,
            )?),
            (None, None) => None,
        };
        if let Some(path) = &task.heartbeat_seconds_path {
            positive_seconds("HeartbeatSecondsPath", path, &effective, context)?;
        }
        let payload = match &task.parameters {
            Some(template) => parameters::apply(template, &effective, context)?,
            None => effective.into_owned(),
        };
        payload::check(&payload, "the task input")?;
        let result = self.invoke(task, payload, timeout).await?;
        payload::check_result(&result, &task.resource)?;
        Completion {
            result_selector: task.result_selector.as_ref(),
            assign: task.assign.as_ref(),
            result_path: task.result_path.as_ref(),
            output_path: task.output_path.as_ref(),
        }
        .apply(raw, result, context)
    }

    /// Calls the Task's runner, bounded by its timeout.
    pub(super) async fn invoke(
        &self,
        task: &Task,
        payload: Value,
        timeout: Option<u64>,
    ) -> Result<Value, TaskError> {
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
        let Some(seconds) = timeout else {
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

    /// InputPath → Parameters → Result → Assign → ResultPath → OutputPath.
    fn pass(pass: &'a Pass, raw: Value, context: &Context<'_>) -> Result<Step<'a>, TaskError> {
        let result = match (&pass.result, &pass.parameters) {
            (Some(result), _) => result.clone(),
            (None, template) => {
                let effective = input_path(pass.input_path.as_ref(), &raw, context)?;
                match template {
                    Some(template) => {
                        let input = parameters::apply(template, &effective, context)?;
                        payload::check(&input, "the state's input after Parameters")?;
                        input
                    }
                    None => effective.into_owned(),
                }
            }
        };
        let (output, assigned) = Completion {
            result_selector: None,
            assign: pass.assign.as_ref(),
            result_path: pass.result_path.as_ref(),
            output_path: pass.output_path.as_ref(),
        }
        .apply(&raw, result, context)?;
        let next = transition(pass.next.as_deref(), pass.end)?;
        Ok(Step::Done {
            output,
            next,
            assigned,
        })
    }

    /// InputPath → the first matching rule (or `Default`) → its Assign → OutputPath.
    fn choice(
        choice: &'a Choice,
        raw: Value,
        context: &Context<'_>,
    ) -> Result<Step<'a>, TaskError> {
        let effective = input_path(choice.input_path.as_ref(), &raw, context)?;
        let mut matched = None;
        for (i, rule) in choice.choices.iter().enumerate() {
            if choice::matches(rule, &effective, context)? {
                let next = rule
                    .next
                    .as_deref()
                    .ok_or_else(|| runtime(format!("Choices[{i}] matched but has no Next")))?;
                matched = Some((next, rule.assign.as_ref()));
                break;
            }
        }
        let (next, assign) = match (matched, choice.default.as_deref()) {
            (Some(matched), _) => matched,
            (None, Some(default)) => (default, choice.assign.as_ref()),
            (None, None) => {
                return Err(TaskError::new(
                    errors::NO_CHOICE_MATCHED,
                    "no choice rule matched and there is no Default",
                ));
            }
        };
        let assigned = assign
            .map(|assign| variables::evaluate(assign, &effective, context))
            .transpose()?;
        let output = output_path(choice.output_path.as_ref(), effective.into_owned(), context)?;
        Ok(Step::Done {
            output,
            next: Some(next),
            assigned,
        })
    }

    /// InputPath → sleep through the clock → Assign → OutputPath.
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
            (_, _, Some(path), _) => Duration::from_secs(io_processing::whole_number(
                "SecondsPath",
                path,
                &effective,
                context,
            )?),
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
        let assigned = wait
            .assign
            .as_ref()
            .map(|assign| variables::evaluate(assign, &effective, context))
            .transpose()?;
        let output = output_path(wait.output_path.as_ref(), effective, context)?;
        let next = transition(wait.next.as_deref(), wait.end)?;
        Ok(Step::Done {
            output,
            next,
            assigned,
        })
    }

    /// InputPath → OutputPath, then the workflow ends.
    fn succeed(
        succeed: &Succeed,
        raw: Value,
        context: &Context<'_>,
    ) -> Result<Step<'a>, TaskError> {
        let effective = input_path(succeed.input_path.as_ref(), &raw, context)?.into_owned();
        let output = output_path(succeed.output_path.as_ref(), effective, context)?;
        Ok(Step::Done {
            output,
            next: None,
            assigned: None,
        })
    }

    /// The error a Fail state ends with: `Error`/`Cause`, or `ErrorPath`/`CausePath`
    /// (a path or an intrinsic giving a string) evaluated against its input.
    fn fail(fail: &Fail, input: &Value, context: &Context<'_>) -> TaskError {
        let text =
            |field: &str, literal: &Option<String>, path: &Option<String>| match (literal, path) {
                (Some(text), _) => Ok(text.clone()),
                (None, Some(path)) => {
                    match parameters::expression_value(field, path, input, context) {
                        Ok(Value::String(text)) => Ok(text),
                        Ok(other) => Err(runtime(format!(
                            "{field} `{path}` is {other}, not a string"
                        ))),
                        Err(e) => Err(runtime(e.to_string())),
                    }
                }
                (None, None) => Ok(String::new()),
            };
        let error = text("ErrorPath", &fail.error, &fail.error_path);
        let cause = text("CausePath", &fail.cause, &fail.cause_path);
        match (error, cause) {
            (Ok(error), Ok(cause)) => TaskError::new(error, cause),
            (Err(e), _) | (_, Err(e)) => e,
        }
    }
}

/// The positive whole number of seconds at `path`.
fn positive_seconds(
    field: &str,
    path: &str,
    input: &Value,
    context: &Context<'_>,
) -> Result<u64, TaskError> {
    match io_processing::whole_number(field, path, input, context)? {
        0 => Err(runtime(format!(
            "{field} `{path}` is 0, not a positive integer"
        ))),
        seconds => Ok(seconds),
    }
}

/// Where a state goes: `Next`, or nowhere with `"End": true`.
pub(super) fn transition(next: Option<&str>, end: Option<bool>) -> Result<Option<&str>, TaskError> {
    match (next, end) {
        (Some(next), _) => Ok(Some(next)),
        (None, Some(true)) => Ok(None),
        (None, _) => Err(runtime("the state has neither Next nor \"End\": true")),
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
