//! Executions started by `POST /dragons`: run in the background by the interpreter,
//! read back by `GET /dragons/reports/{reportId}` through the same handler as the
//! deployed `report-status` Lambda. At most [`MAX_EXECUTIONS`] are kept (the oldest
//! finished one goes first), so a long-running local API does not grow without end.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, PoisonError},
    time::SystemTime,
};

use asl::interpret::{Interpreter, Outcome, Status};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use dragons_contract::report_status::{
    Execution as Described, ExecutionReader, ExecutionStatus, ReadError,
};
use serde_json::Value;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// How many executions are kept.
pub const MAX_EXECUTIONS: usize = 10_000;

/// A new report id: 16 random bytes, URL-safe base64 (22 characters of
/// `A–Z a–z 0–9 - _`), the alphabet the deployed API's ids use.
pub fn new_report_id() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
}

#[derive(Debug, Clone)]
struct Execution {
    started: SystemTime,
    input: Value,
    outcome: Option<(SystemTime, Box<Outcome>)>,
}

#[derive(Debug, Default)]
struct Kept {
    by_name: HashMap<String, Execution>,
    /// Names, oldest first.
    order: VecDeque<String>,
}

impl Kept {
    /// Makes room for one more: the oldest finished execution goes, or the oldest
    /// of all when none has finished.
    fn make_room(&mut self, limit: usize) {
        while self.by_name.len() >= limit.max(1) {
            let finished = self
                .order
                .iter()
                .position(|name| self.by_name.get(name).is_some_and(|e| e.outcome.is_some()));
            let Some(name) = self.order.remove(finished.unwrap_or(0)) else {
                return;
            };
            self.by_name.remove(&name);
        }
    }
}

/// The executions of one local API, shared by its handlers.
#[derive(Debug, Clone)]
pub struct Executions {
    kept: Arc<Mutex<Kept>>,
    limit: usize,
}

impl Default for Executions {
    fn default() -> Self {
        Self::with_limit(MAX_EXECUTIONS)
    }
}

impl Executions {
    /// Keeping at most `limit` executions.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            kept: Arc::default(),
            limit,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many executions are kept.
    pub fn len(&self) -> usize {
        self.lock().by_name.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts `name` with `input`; `false` (and nothing started) if an execution of
    /// that name exists, as Step Functions refuses a name it has seen.
    pub fn start(&self, interpreter: Arc<Interpreter>, name: &str, input: Value) -> bool {
        let mut kept = self.lock();
        if kept.by_name.contains_key(name) {
            return false;
        }
        kept.make_room(self.limit);
        kept.by_name.insert(
            name.to_owned(),
            Execution {
                started: SystemTime::now(),
                input: input.clone(),
                outcome: None,
            },
        );
        kept.order.push_back(name.to_owned());
        drop(kept);
        let registry = Arc::clone(&self.kept);
        let key = name.to_owned();
        tokio::spawn(async move {
            let outcome = interpreter.run_named(&key, input).await;
            let mut kept = registry.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(execution) = kept.by_name.get_mut(&key) {
                execution.outcome = Some((SystemTime::now(), Box::new(outcome)));
            }
        });
        true
    }

    /// The execution `name`, as `DescribeExecution` would tell it.
    pub fn described(&self, name: &str) -> Option<Described> {
        let kept = self.lock();
        let execution = kept.by_name.get(name)?;
        let (status, output, error, cause, stopped) = match &execution.outcome {
            None => (ExecutionStatus::Running, None, None, None, None),
            Some((stopped, outcome)) => (
                match outcome.status {
                    Status::Succeeded => ExecutionStatus::Succeeded,
                    Status::Failed => ExecutionStatus::Failed,
                },
                outcome.output.as_ref().map(Value::to_string),
                outcome.error.clone(),
                outcome.cause.clone(),
                Some(rfc3339(*stopped)),
            ),
        };
        Some(Described {
            status,
            input: execution.input.to_string(),
            output,
            error,
            cause,
            started_at: rfc3339(execution.started),
            stopped_at: stopped,
        })
    }
}

impl ExecutionReader for Executions {
    async fn describe(&self, report_id: &str) -> Result<Option<Described>, ReadError> {
        Ok(self.described(report_id))
    }
}

fn rfc3339(time: SystemTime) -> String {
    OffsetDateTime::from(time)
        .format(&Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use asl::{Pass, StateMachine, Wait};
    use dragons_contract::report_status::is_report_id;

    use super::*;

    fn interpreter(machine: StateMachine) -> Arc<Interpreter> {
        Arc::new(Interpreter::new(&machine))
    }

    #[test]
    fn report_ids_are_fresh_and_of_the_deployed_alphabet() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_report_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == 22 && is_report_id(id)));
    }

    #[tokio::test]
    async fn a_name_starts_once_and_runs_to_its_outcome() {
        let executions = Executions::default();
        let machine = StateMachine::new("Done").state("Done", Pass::default().end());
        assert!(executions.start(
            interpreter(machine.clone()),
            "r1",
            serde_json::json!({"a": 1})
        ));
        assert!(!executions.start(interpreter(machine), "r1", serde_json::json!({})));
        for _ in 0..100 {
            if executions.described("r1").unwrap().status != ExecutionStatus::Running {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let done = executions.described("r1").unwrap();
        assert_eq!(done.status, ExecutionStatus::Succeeded);
        assert_eq!(done.input, r#"{"a":1}"#);
        assert!(done.stopped_at.is_some());
        assert_eq!(executions.described("r2"), None);
    }

    #[tokio::test]
    async fn the_oldest_finished_execution_makes_room_first() {
        let executions = Executions::with_limit(3);
        let quick = StateMachine::new("Done").state("Done", Pass::default().end());
        let slow = StateMachine::new("Wait").state("Wait", Wait::seconds(60).end());
        assert!(executions.start(interpreter(slow.clone()), "running", Value::Null));
        for name in ["a", "b"] {
            assert!(executions.start(interpreter(quick.clone()), name, Value::Null));
        }
        while ["a", "b"]
            .iter()
            .any(|name| executions.described(name).unwrap().status == ExecutionStatus::Running)
        {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(executions.start(interpreter(quick), "c", Value::Null));
        assert_eq!(executions.len(), 3);
        assert!(
            executions.described("a").is_none(),
            "the oldest finished one went"
        );
        for name in ["running", "b", "c"] {
            assert!(executions.described(name).is_some(), "{name}");
        }
    }
}
