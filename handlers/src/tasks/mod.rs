//! The report workflow's Lambda tasks: what they receive from the state machine
//! ([`input`]), what they answer ([`TaskAnswer`]: a rejection is an answer, logged
//! with its outcome for the template's metric filter), and the typed failures whose
//! `error_type` the definition's Retry and Catch name ([`failure`]).

pub mod add_dragon;
pub mod failure;
pub mod input;
pub mod validate_dragon;

use dragons_contract::{
    TaskAnswer,
    store::DragonWriter,
    task_answer::{LoggedOutcome, OUTCOME_LOG_FIELD},
};
use serde_json::Value;

pub use failure::TaskFailure;

use crate::domain::validation::DragonValidator;

/// One of the workflow's Lambda tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// ValidateDragon: the model's rules, then "name not taken".
    Validate,
    /// AddDragon: the conditional write.
    Add,
}

impl Task {
    /// Runs the task on the state machine's `event` against `store`.
    pub async fn run(
        self,
        validator: &DragonValidator,
        store: &impl DragonWriter,
        event: Value,
    ) -> Result<TaskAnswer, TaskFailure> {
        match self {
            Self::Validate => validate_dragon::validate_dragon(validator, store, event).await,
            Self::Add => add_dragon::add_dragon(validator, store, event).await,
        }
    }
}

/// Logs a task's answer when it is a rejection (the outcome the template counts), and
/// passes it on.
fn log_rejection(answer: TaskAnswer) -> TaskAnswer {
    if let TaskAnswer::Rejected { reason } = &answer {
        tracing::info!(
            { OUTCOME_LOG_FIELD } = LoggedOutcome::Rejected.as_str(),
            %reason,
            "dragon refused"
        );
    }
    answer
}

#[cfg(test)]
mod tests {
    use dragons_contract::{
        Dragon,
        memory::{Failure, MemoryStore},
    };
    use serde_json::json;

    use super::*;

    fn report(name: &str) -> Value {
        json!({
            "dragon": {
                "dragon_name_str": name,
                "family_str": "red",
                "description_str": "Nests on the crane.\nShy.",
                "location_city_str": "Reykjavík",
                "location_country_str": "iceland",
                "location_state_str": "",
                "location_neighborhood_str": "grandi",
            },
            "reporter": { "sub": "7d8c-sub", "username": "mira" },
            "report": { "id": "report-1", "submittedAt": "2026-12-01T10:00:00.000Z" },
        })
    }

    fn stored(name: &str) -> Dragon {
        serde_json::from_value(report(name)["dragon"].clone()).unwrap()
    }

    async fn run(task: Task, store: &MemoryStore, event: Value) -> Result<TaskAnswer, TaskFailure> {
        task.run(&DragonValidator::new().unwrap(), store, event)
            .await
    }

    #[tokio::test]
    async fn a_valid_report_is_validated_then_added() {
        let store = MemoryStore::default();
        assert_eq!(
            run(Task::Validate, &store, report("Quill")).await,
            Ok(TaskAnswer::Valid {
                dragon_name_str: "Quill".into()
            })
        );
        assert!(store.dragons().is_empty(), "validation writes nothing");
        assert_eq!(
            run(Task::Add, &store, report("Quill")).await,
            Ok(added(false))
        );
        assert_eq!(store.dragons(), [stored("Quill")]);
        // The same execution's task, retried after its write: added, not refused.
        assert_eq!(
            run(Task::Add, &store, report("Quill")).await,
            Ok(added(true))
        );
        let mut another = report("QUILL");
        another["report"]["id"] = json!("report-2");
        assert_eq!(
            run(Task::Add, &store, another).await,
            Ok(TaskAnswer::rejected(
                "a dragon named `QUILL` already exists"
            ))
        );
        assert_eq!(store.dragons(), [stored("Quill")]);
    }

    fn added(replayed: bool) -> TaskAnswer {
        TaskAnswer::Added {
            added: "Quill".into(),
            attempts: 1,
            replayed,
        }
    }

    /// The reason of a rejection (and fails on any other answer).
    fn reason(answer: Result<TaskAnswer, TaskFailure>) -> String {
        match answer {
            Ok(TaskAnswer::Rejected { reason }) => reason,
            other => panic!("not a rejection: {other:?}"),
        }
    }

    #[tokio::test]
    async fn rejections_are_answers_with_their_reason() {
        let store = MemoryStore::with([stored("Quill")]);
        let mut no_execution = report("Nib");
        no_execution.as_object_mut().unwrap().remove("report");
        let why = reason(run(Task::Add, &store, no_execution).await);
        assert!(why.contains("missing field `report`"), "{why}");
        for task in [Task::Validate, Task::Add] {
            assert_eq!(
                reason(run(task, &store, report("QUILL")).await),
                "a dragon named `QUILL` already exists"
            );
            let mut broken = report("Nib");
            broken["dragon"]["family_str"] = json!("");
            assert_eq!(
                reason(run(task, &store, broken).await),
                "`family_str` is empty"
            );
            let why = reason(run(task, &store, json!({ "dragon": {} })).await);
            assert!(why.starts_with("the report is malformed"), "{why}");
        }
        assert_eq!(store.dragons().len(), 1);
    }

    #[tokio::test]
    async fn store_failures_are_store_errors_without_details() {
        let store = MemoryStore::default();
        for (failure, error_type) in [
            (Failure::Failed, TaskErrorType::DragonStoreError),
            (Failure::Unavailable, TaskErrorType::DragonStoreUnavailable),
        ] {
            store.fail(failure);
            for task in [Task::Validate, Task::Add] {
                assert_eq!(
                    run(task, &store, report("Quill")).await,
                    Err(TaskFailure {
                        error_type,
                        message: failure::STORE_FAILED.to_owned(),
                    }),
                    "{task:?} {failure:?}"
                );
            }
        }
    }

    #[tokio::test]
    async fn a_lost_race_is_a_write_conflict() {
        let store = MemoryStore::default();
        store.fail(Failure::Conflict);
        let failure = run(Task::Add, &store, report("Quill")).await.unwrap_err();
        assert_eq!(failure.error_type, TaskErrorType::DragonWriteConflict);
        let diagnostic = Diagnostic::from(failure);
        assert_eq!(diagnostic.error_type, "DragonWriteConflict");
        assert!(store.dragons().is_empty());
    }

    use dragons_contract::TaskErrorType;
    use lambda_runtime::Diagnostic;
}
