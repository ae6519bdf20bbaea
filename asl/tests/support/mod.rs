//! What the rule-by-rule test files share: parsing a definition, its diagnostics, running
//! it on the test clock, and reading the outcome.

use asl::interpret::{Interpreter, Outcome, Status, TaskError, TestClock, task_fn};
use asl::{Rule, StateMachine};
use serde_json::{Value, json};

/// `definition` parsed (the test fails when it does not parse).
pub fn machine(definition: &Value) -> StateMachine {
    StateMachine::from_json(&definition.to_string())
        .unwrap_or_else(|e| panic!("the definition does not parse: {e}"))
}

/// The rules `asl::diagnostics` reports on `definition`, in report order.
pub fn rules(definition: &Value) -> Vec<Rule> {
    asl::diagnostics(&machine(definition))
        .into_iter()
        .map(|d| d.rule)
        .collect()
}

/// Runs `definition` with `input` on the test clock, without task runners.
pub async fn run(definition: &Value, input: Value) -> Outcome {
    Interpreter::new(&machine(definition))
        .clock(TestClock::new())
        .run(input)
        .await
}

/// Runs `definition` with a Task resource `big` replying `result`.
pub async fn run_with_result(definition: &Value, result: Value) -> Outcome {
    Interpreter::new(&machine(definition))
        .runner(
            "big",
            task_fn(move |_, _| {
                let result = result.clone();
                async move { Ok::<_, TaskError>(result) }
            }),
        )
        .clock(TestClock::new())
        .run(json!({}))
        .await
}

/// The output of an execution that must have succeeded.
pub fn succeeded(outcome: &Outcome) -> Option<&Value> {
    assert_eq!(
        outcome.status,
        Status::Succeeded,
        "{:?}: {:?}",
        outcome.error,
        outcome.cause
    );
    outcome.output.as_ref()
}

/// The error and cause of an execution that must have failed (`""` for one it lacks).
pub fn failed(outcome: &Outcome) -> (&str, &str) {
    assert_eq!(outcome.status, Status::Failed, "{:?}", outcome.output);
    (
        outcome.error.as_deref().unwrap_or_default(),
        outcome.cause.as_deref().unwrap_or_default(),
    )
}
