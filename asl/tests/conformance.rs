//! Conformance: every case in `tests/conformance/<topic>/<name>.json` (a definition, an
//! input and the output or error an AWS Step Functions developer guide page shows for
//! them, with the page's address) runs through the interpreter and must give that result.
//!
//! A case's `tasks` say what each Task resource returns (`{"output": …}` or
//! `{"error": …, "cause"?: …}`), as the page describes it; `expected.task_inputs`, when
//! present, lists the inputs each resource must have received.
//!
//! `tests/rejected/*.json` hold definitions the service rejects (the kinds the issue
//! lists), each with the rule that must refuse it.

mod cases;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use asl::interpret::{Interpreter, Status, TaskError, TestClock, task_fn};
use serde_json::{Value, json};

use cases::{Case, all_cases};

/// Runs `case` and describes every way its outcome differs from what the page shows.
async fn mismatches(case: &Case) -> Vec<String> {
    let mut problems = Vec::new();
    let machine = match case.machine() {
        Ok(machine) => machine,
        Err(e) => return vec![format!("the definition does not parse: {e}")],
    };
    if let Err(e) = asl::validate(&machine) {
        problems.push(format!("asl::validate rejects it: {e}"));
    }
    let received: Arc<Mutex<BTreeMap<String, Vec<Value>>>> = Arc::default();
    let mut interpreter = Interpreter::new(&machine).clock(TestClock::new());
    for (resource, reply) in case.tasks() {
        let received = Arc::clone(&received);
        let key = resource.clone();
        interpreter = interpreter.runner(
            resource,
            task_fn(move |_, input| {
                received
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(key.clone())
                    .or_default()
                    .push(input);
                let reply = reply.clone();
                async move {
                    match reply.get("error") {
                        Some(error) => Err(TaskError::new(
                            error.as_str().unwrap_or_default(),
                            reply
                                .get("cause")
                                .and_then(Value::as_str)
                                .unwrap_or_default(),
                        )),
                        None => Ok(reply.get("output").cloned().unwrap_or(Value::Null)),
                    }
                }
            }),
        );
    }
    let outcome = interpreter.run(case.input()).await;
    let expected = case.expected();
    match (expected.get("output"), expected.get("error")) {
        (Some(output), _) => {
            if outcome.status != Status::Succeeded || outcome.output.as_ref() != Some(output) {
                problems.push(format!(
                    "expected output {output}, got {:?} {} (error {:?}: {:?})",
                    outcome.status,
                    outcome.output.unwrap_or(Value::Null),
                    outcome.error,
                    outcome.cause
                ));
            }
        }
        (None, Some(error)) => {
            let cause = expected.get("cause");
            if outcome.status != Status::Failed
                || outcome.error.as_deref() != error.as_str()
                || cause.is_some_and(|c| outcome.cause.as_deref() != c.as_str())
            {
                problems.push(format!(
                    "expected error {error} ({cause:?}), got {:?} {:?}: {:?}",
                    outcome.status, outcome.error, outcome.cause
                ));
            }
        }
        (None, None) => problems.push("`expected` has neither output nor error".to_owned()),
    }
    if let Some(wanted) = expected.get("task_inputs") {
        let got = json!(*received.lock().unwrap_or_else(PoisonError::into_inner));
        if &got != wanted {
            problems.push(format!("expected task inputs {wanted}, got {got}"));
        }
    }
    problems
}

#[tokio::test]
async fn every_conformance_case_gives_what_the_aws_page_shows() {
    let cases = all_cases();
    assert!(
        cases.len() >= 20,
        "expected at least 20 conformance cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        for problem in mismatches(case).await {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from their page:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Each definition of `tests/rejected/` (one per kind of definition the service rejects
/// that `asl` once accepted) is refused: at parse time, or by the rule the file names.
#[test]
fn definitions_the_service_rejects_are_refused() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rejected");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "expected at least 10 rejected cases");
    let mut accepted = Vec::new();
    for file in &files {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let rule = case["rule"].as_str().unwrap_or_default();
        let parsed = asl::StateMachine::from_json(&case["definition"].to_string());
        let refused = match (rule, parsed) {
            ("parse", parsed) => parsed.is_err(),
            (rule, Ok(machine)) => asl::diagnostics(&machine)
                .iter()
                .any(|d| d.rule.as_str() == rule),
            (_, Err(_)) => false,
        };
        if !refused {
            accepted.push(format!("{} ({rule})", file.display()));
        }
    }
    assert!(
        accepted.is_empty(),
        "not refused as expected:\n{}",
        accepted.join("\n")
    );
}
