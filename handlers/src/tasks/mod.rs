//! The report workflow's Lambda tasks: what they receive from the state machine
//! ([`input`]), what they answer, and the typed failures whose `error_type` the
//! definition's Retry and Catch name ([`failure`]).

pub mod add_dragon;
pub mod failure;
pub mod input;
pub mod validate_dragon;

use dragons_contract::store::DragonWriter;
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
    ) -> Result<Value, TaskFailure> {
        match self {
            Self::Validate => validate_dragon::validate_dragon(validator, store, event).await,
            Self::Add => add_dragon::add_dragon(validator, store, event).await,
        }
    }
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

    async fn run(task: Task, store: &MemoryStore, event: Value) -> Result<Value, TaskFailure> {
        task.run(&DragonValidator::new().unwrap(), store, event)
            .await
    }

    #[tokio::test]
    async fn a_valid_report_is_validated_then_added() {
        let store = MemoryStore::default();
        assert_eq!(
            run(Task::Validate, &store, report("Quill")).await,
            Ok(json!({ "valid": true, "dragon_name_str": "Quill" }))
        );
        assert!(store.dragons().is_empty(), "validation writes nothing");
        assert_eq!(
            run(Task::Add, &store, report("Quill")).await,
            Ok(json!({ "added": "Quill", "attempts": 1, "replayed": false }))
        );
        assert_eq!(store.dragons(), [stored("Quill")]);
        // The same execution's task, retried after its write: added, not refused.
        assert_eq!(
            run(Task::Add, &store, report("Quill")).await,
            Ok(json!({ "added": "Quill", "attempts": 1, "replayed": true }))
        );
        let mut another = report("QUILL");
        another["report"]["id"] = json!("report-2");
        assert_eq!(
            run(Task::Add, &store, another).await,
            Err(TaskFailure::rejected(
                "a dragon named `QUILL` already exists"
            ))
        );
        assert_eq!(store.dragons(), [stored("Quill")]);
    }

    #[tokio::test]
    async fn rejections_are_validation_errors_with_their_reason() {
        let store = MemoryStore::with([stored("Quill")]);
        let mut no_execution = report("Nib");
        no_execution.as_object_mut().unwrap().remove("report");
        let failure = run(Task::Add, &store, no_execution).await.unwrap_err();
        assert!(
            failure.message.contains("missing field `report`"),
            "{failure}"
        );
        for task in [Task::Validate, Task::Add] {
            let taken = run(task, &store, report("QUILL")).await.unwrap_err();
            assert_eq!(
                taken,
                TaskFailure::rejected("a dragon named `QUILL` already exists")
            );
            let mut broken = report("Nib");
            broken["dragon"]["family_str"] = json!("");
            let failure = run(task, &store, broken).await.unwrap_err();
            assert_eq!(failure, TaskFailure::rejected("`family_str` is empty"));
            let failure = run(task, &store, json!({ "dragon": {} }))
                .await
                .unwrap_err();
            assert_eq!(failure.error_type, TaskErrorType::DragonValidationError);
            assert!(
                failure.message.starts_with("the report is malformed"),
                "{failure}"
            );
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
