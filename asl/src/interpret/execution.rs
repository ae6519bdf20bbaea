//! One execution: the state loop, which runs a workflow from its `StartAt` to a terminal
//! state one state at a time; each state by its type and query language; the `Retry` and
//! `Catch` of Task, Map and Parallel states; and a Task's call of its runner.

use std::time::Duration;

use serde_json::Value;

use super::catch;
use super::clock::{Clock, within};
use super::completion::Completion;
use super::concurrency::BoxFuture;
use super::context::{Context, ExecutionFacts};
use super::history::HistoryEvent;
use super::io_processing::input_path;
use super::jsonata_states;
use super::jsonpath_states;
use super::map;
use super::parallel;
use super::payload;
use super::random::Rng;
use super::retry;
use super::runner::{Runners, TaskError};
use super::variables::Variables;
use super::wait;
use super::workflow::{Assigned, Completed, Journal, Subworkflows, Workflow, next_state};
use crate::errors;
use crate::model::{QueryLanguage, State, Task};

/// What does not change during one execution.
pub(super) struct Execution<'a> {
    /// The runners of the Task states' resources.
    pub runners: &'a Runners,
    /// Where Wait states, retries and timeouts sleep, and where "now" comes from.
    pub clock: &'a dyn Clock,
    /// The most states one workflow of the execution may enter.
    pub max_transitions: u64,
    /// The context object's `Execution` and `StateMachine`.
    pub facts: ExecutionFacts<'a>,
    /// The random source of retry jitter and the random intrinsics.
    pub rng: Rng,
}

/// How a state that did not fail the execution ended.
enum Step<'m> {
    /// It completed.
    Done(Completed<'m>),
    /// It failed and a catcher sends `output` on to `next`.
    Caught {
        error: TaskError,
        output: Value,
        next: &'m str,
        assigned: Assigned,
    },
}

impl<'a> Subworkflows<'a> for Execution<'a> {
    /// The state loop: runs the states from `StartAt`, each with the output of the one
    /// before, until one ends the workflow or fails it.
    fn run<'c>(
        &'c self,
        workflow: Workflow<'a>,
        input: Value,
        outer: Option<&'c Variables<'c>>,
        journal: &'c mut Journal,
    ) -> BoxFuture<'c, Result<Value, TaskError>>
    where
        'a: 'c,
    {
        Box::pin(async move {
            let max = self.max_transitions;
            let mut variables = Variables::new(outer);
            let mut current = workflow.start_at;
            let mut input = input;
            loop {
                if journal.entered >= max {
                    return Err(TaskError::runtime(format!(
                        "the execution exceeded {max} state transitions (next state `{current}`)"
                    )));
                }
                let Some((name, state)) = workflow.states.get_key_value(current) else {
                    return Err(TaskError::runtime(format!(
                        "there is no state named `{current}`"
                    )));
                };
                let state_type = state.type_name();
                journal.enter(name, state_type, &input);
                let context = self.context(name, &variables);
                let language = state.query_language().unwrap_or(workflow.language);
                let step = self.state(state, input, context, language, journal).await;
                // A state's own output (or a Pass state's input after `Parameters`) over
                // the quota is terminal.
                let step = step.and_then(|step| {
                    let (Step::Done(Completed { output, .. }) | Step::Caught { output, .. }) =
                        &step;
                    payload::check_result(output, name).map(|()| step)
                });
                if let Err(error) = &step
                    && error.error == errors::DATA_LIMIT_EXCEEDED
                    && matches!(state, State::Pass(_))
                {
                    journal.terminal = true;
                }
                match step {
                    Ok(Step::Done(Completed {
                        output,
                        next,
                        assigned,
                    })) => {
                        journal.leave(HistoryEvent::StateExited {
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
                        journal.leave(HistoryEvent::StateFailed {
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
                        journal.leave(HistoryEvent::StateFailed {
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
}

impl<'a> Execution<'a> {
    /// The context object of the state `state_name`, entered now.
    fn context<'c>(&'c self, state_name: &'c str, variables: &'c Variables<'c>) -> Context<'c> {
        Context {
            execution: &self.facts,
            state_name,
            entered_time: self.clock.now(),
            retry_count: None,
            task_token: None,
            variables: (!variables.is_empty()).then_some(variables),
            map_item: None,
            rng: &self.rng,
        }
    }

    /// Runs one state in its query language.
    async fn state(
        &self,
        state: &'a State,
        input: Value,
        context: Context<'_>,
        language: QueryLanguage,
        journal: &mut Journal,
    ) -> Result<Step<'a>, TaskError> {
        use QueryLanguage::{JsonAta, JsonPath};
        let completed = match (state, language) {
            (State::Task(_) | State::Map(_) | State::Parallel(_), _) => {
                return self
                    .retrying(state, input, context, language, journal)
                    .await;
            }
            (State::Pass(pass), JsonPath) => {
                let result = jsonpath_states::pass_result(pass, &input, &context)?;
                let (output, assigned) =
                    Completion::of(state).apply(language, &input, result, &context)?;
                Completed {
                    output,
                    next: next_state(state)?,
                    assigned,
                }
            }
            (State::Choice(choice), JsonPath) => jsonpath_states::choice(choice, &input, &context)?,
            (State::Choice(choice), JsonAta) => jsonata_states::choice(choice, input, &context)?,
            (State::Wait(_) | State::Succeed(_), JsonPath) => {
                let effective = input_path(state.input_path(), &input, &context)?.into_owned();
                if let State::Wait(wait) = state {
                    let now = self.clock.now();
                    let duration = wait::duration(wait, language, &effective, &context, now)?;
                    self.clock.sleep(duration).await;
                }
                jsonpath_states::pass_through(state, effective, &context)?
            }
            (State::Pass(_) | State::Wait(_) | State::Succeed(_), JsonAta) => {
                if let State::Wait(wait) = state {
                    let now = self.clock.now();
                    let duration = wait::duration(wait, language, &input, &context, now)?;
                    self.clock.sleep(duration).await;
                }
                jsonata_states::pass_through(state, input, &context)?
            }
            (State::Fail(fail), JsonPath) => {
                return Err(jsonpath_states::fail(fail, &input, &context));
            }
            (State::Fail(fail), JsonAta) => {
                return Err(jsonata_states::fail(fail, &input, &context));
            }
        };
        Ok(Step::Done(completed))
    }

    /// A Task, Map or Parallel state: attempts, each turning its result into the state's
    /// output, with its `Retry` and `Catch`.
    async fn retrying(
        &self,
        state: &'a State,
        input: Value,
        context: Context<'_>,
        language: QueryLanguage,
        journal: &mut Journal,
    ) -> Result<Step<'a>, TaskError> {
        let (retriers, catchers) = (state.retriers(), state.catchers());
        let completion = Completion::of(state);
        let mut retries = vec![0u64; retriers.len()];
        let mut retry_count = 0;
        loop {
            let context = Context {
                retry_count: Some(retry_count),
                ..context
            };
            let result = match state {
                State::Task(task) => self.task_attempt(task, &input, &context, language).await,
                State::Map(map) => {
                    map::attempt(self, map, &input, &context, language, journal).await
                }
                State::Parallel(parallel) => {
                    parallel::attempt(self, parallel, &input, &context, language, journal).await
                }
                _ => Err(TaskError::runtime(format!(
                    "a {} state has no retry",
                    state.type_name()
                ))),
            };
            let completed =
                result.and_then(|result| completion.apply(language, &input, result, &context));
            let error = match completed {
                Ok((output, assigned)) => {
                    return Ok(Step::Done(Completed {
                        output,
                        next: next_state(state)?,
                        assigned,
                    }));
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
                self.clock.sleep(delay).await;
                continue;
            }
            let Some(catcher) = catch::find(catchers, &error.error) else {
                return Err(error);
            };
            let (output, assigned) = catch::handle(catcher, language, &input, &error, &context)?;
            return Ok(Step::Caught {
                error,
                output,
                next: &catcher.next,
                assigned,
            });
        }
    }

    /// One attempt of a Task: its payload (`InputPath` → `Parameters`, or `Arguments`),
    /// the call of its runner, bounded by its timeout; gives the task's result.
    async fn task_attempt(
        &self,
        task: &Task,
        raw: &Value,
        context: &Context<'_>,
        language: QueryLanguage,
    ) -> Result<Value, TaskError> {
        // A callback task's input may pass on its token (`$$.Task.Token`); the runner's
        // result stands for what the callback sends.
        let token = task.waits_for_task_token().then(|| self.rng.uuid());
        let context = &Context {
            task_token: token.as_deref(),
            ..*context
        };
        let (payload, timeout) = match language {
            QueryLanguage::JsonPath => jsonpath_states::task_input(task, raw, context)?,
            QueryLanguage::JsonAta => jsonata_states::task_input(task, raw, context)?,
        };
        payload::check(&payload, "the task input")?;
        let call = self
            .runners
            .find(&task.resource)?
            .run(&task.resource, payload);
        let result = match timeout {
            None => call.await?,
            Some(seconds) => within(self.clock, Duration::from_secs(seconds), call)
                .await
                .unwrap_or_else(|| {
                    Err(TaskError::new(
                        errors::TIMEOUT,
                        format!("the task did not finish within {seconds} seconds"),
                    ))
                })?,
        };
        payload::check_result(&result, &task.resource)?;
        Ok(result)
    }
}
