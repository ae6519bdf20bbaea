//! Workflows and what running one accumulates: the states of a machine, a Parallel branch
//! or a Map processor ([`Workflow`]), the events and counts of a run ([`Journal`]), what a
//! completed state yields ([`Completed`]), and running several sub-workflows at once for
//! a Map or Parallel state ([`run_all`]).
//!
//! A Map or Parallel state runs its sub-workflows through [`Subworkflows`], which the
//! execution implements, so that the states need not know the state loop.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::concurrency::{BoxFuture, join_bounded};
use super::history::HistoryEvent;
use super::runner::TaskError;
use super::variables::Variables;
use crate::model::{Branch, QueryLanguage, State};

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

/// The variables a completed state assigns, if it has an `Assign`.
pub(super) type Assigned = Option<Map<String, Value>>;

/// What a state that completed yields: its output, where the workflow goes (`None`: it
/// ends with this output), and the variables it assigns.
#[derive(Debug)]
pub(super) struct Completed<'m> {
    pub output: Value,
    pub next: Option<&'m str>,
    pub assigned: Assigned,
}

/// Where `state` goes once it completes: its `Next`; nowhere after a Succeed state or one
/// with `"End": true`. (A Choice state's rules name where it goes.)
pub(super) fn next_state(state: &State) -> Result<Option<&str>, TaskError> {
    match state.next() {
        Some(next) => Ok(Some(next)),
        None if state.is_terminal() => Ok(None),
        None => Err(TaskError::runtime(
            "the state has neither Next nor \"End\": true",
        )),
    }
}

/// What a run of a workflow accumulates.
#[derive(Debug, Default)]
pub(super) struct Journal {
    /// Its events, those of its sub-workflows included.
    pub history: Vec<HistoryEvent>,
    /// The states it entered.
    pub entered: u64,
    /// Whether it ended with a terminal error (a state's own input or output over the
    /// payload quota), which no retrier or catcher around it handles.
    pub terminal: bool,
    /// Where in `history` the state in progress was entered (`None` between states).
    open: Option<usize>,
}

impl Journal {
    /// Records that the state `name` was entered with `input`.
    pub fn enter(&mut self, name: &str, state_type: &'static str, input: &Value) {
        self.entered += 1;
        self.open = Some(self.history.len());
        self.history.push(HistoryEvent::StateEntered {
            name: name.to_owned(),
            state_type,
            input: input.clone(),
        });
    }

    /// Records how the state in progress ended (`StateExited` or `StateFailed`).
    pub fn leave(&mut self, event: HistoryEvent) {
        self.open = None;
        self.history.push(event);
    }

    /// Records that the state in progress, if any, stopped unfinished.
    pub fn abort(&mut self) {
        if let Some(HistoryEvent::StateEntered {
            name, state_type, ..
        }) = self.open.take().and_then(|i| self.history.get(i))
        {
            let event = HistoryEvent::StateAborted {
                name: name.clone(),
                state_type,
            };
            self.history.push(event);
        }
    }
}

/// Runs a sub-workflow of the execution: a Parallel branch or a Map iteration.
pub(super) trait Subworkflows<'a>: Sync {
    /// Runs `workflow` from its `StartAt` with `input`, in a variable scope inside `outer`,
    /// recording into `journal`.
    fn run<'c>(
        &'c self,
        workflow: Workflow<'a>,
        input: Value,
        outer: Option<&'c Variables<'c>>,
        journal: &'c mut Journal,
    ) -> BoxFuture<'c, Result<Value, TaskError>>
    where
        'a: 'c;
}

/// How the sub-workflows of a state relate to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// Parallel branches and inline Map iterations: they read the variables around the
    /// state, and the first one to fail stops the others and fails the state.
    Inline,
    /// A distributed Map's child executions: they see no outer variables, and each
    /// fails on its own.
    Distributed,
}

/// Runs every `(workflow, input)` of `runs`, at most `limit` at a time (0: no limit), and
/// gives their results in order, or (inline) the error of the first to fail. The events
/// of every run go to `journal` in the runs' order, even when this future is dropped; a
/// run stopped unfinished (by another's failure, or a timeout around the state) ends with
/// its state in progress aborted.
pub(super) async fn run_all<'a, R: Subworkflows<'a>>(
    runner: &R,
    runs: Vec<(Workflow<'a>, Value)>,
    scope: Scope,
    outer: Option<&Variables<'_>>,
    limit: usize,
    journal: &mut Journal,
) -> Result<Vec<Result<Value, TaskError>>, TaskError> {
    let outer = match scope {
        Scope::Inline => outer,
        Scope::Distributed => None,
    };
    let mut children = Children {
        parent: journal,
        journals: runs.iter().map(|_| Journal::default()).collect(),
        scope,
    };
    let futures: Vec<BoxFuture<'_, Result<Value, TaskError>>> = runs
        .into_iter()
        .zip(children.journals.iter_mut())
        .map(|((workflow, input), journal)| runner.run(workflow, input, outer, journal))
        .collect();
    join_bounded(futures, limit, scope == Scope::Inline).await
}

/// The journals of a state's sub-workflows, merged into the state's journal when dropped
/// (also when the state is stopped while they run).
struct Children<'j> {
    parent: &'j mut Journal,
    journals: Vec<Journal>,
    scope: Scope,
}

impl Drop for Children<'_> {
    fn drop(&mut self) {
        for mut child in self.journals.drain(..) {
            child.abort();
            self.parent.history.append(&mut child.history);
            // A child execution of a distributed Map fails on its own.
            if self.scope == Scope::Inline {
                self.parent.terminal |= child.terminal;
            }
        }
    }
}
