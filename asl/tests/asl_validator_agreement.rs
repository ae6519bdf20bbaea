//! asl-validator (the pinned npm tool in `.tools/`, which knows JSONata) and
//! `asl::validate` agree on every conformance definition (both accept it) and on the
//! query-language rejections of `tests/rejected/jsonata-*.json` (both refuse them).

mod cases;

use std::path::{Path, PathBuf};
use std::process::Command;

use cases::all_cases;
use serde_json::Value;

/// Where `scripts/install-tools` puts asl-validator.
fn asl_validator() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../.tools/npm/node_modules/.bin/asl-validator");
    assert!(
        path.exists(),
        "asl-validator is not installed at {}: run `scripts/install-tools` (or `scripts/test`, which runs it)",
        path.display()
    );
    path
}

/// Whether asl-validator accepts `definition` (written to `file`).
fn accepted_by_asl_validator(tool: &Path, file: &Path, definition: &Value) -> (bool, String) {
    std::fs::write(file, definition.to_string())
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    let run = Command::new(tool)
        .arg("--json-path")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    (
        run.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&run.stdout).trim(),
            String::from_utf8_lossy(&run.stderr).trim()
        ),
    )
}

#[test]
fn asl_validator_and_asl_validate_refuse_the_query_language_rejections() {
    let tool = asl_validator();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/rejected");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("jsonata-"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 3, "expected the JSONata rejections");
    let scratch = std::env::temp_dir().join(format!("asl-rejected-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut disagreements = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let definition = &case["definition"];
        let (theirs, said) =
            accepted_by_asl_validator(&tool, &scratch.join(format!("{i}.json")), definition);
        let ours = asl::StateMachine::from_json(&definition.to_string())
            .map_err(|e| e.to_string())
            .and_then(|m| asl::validate(&m).map_err(|e| e.to_string()));
        if theirs || ours.is_ok() {
            disagreements.push(format!(
                "{}: asl-validator {} ({said}), asl::validate {ours:?}",
                file.display(),
                if theirs { "accepts" } else { "rejects" },
            ));
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
    assert!(
        disagreements.is_empty(),
        "not refused by both:\n{}",
        disagreements.join("\n")
    );
}

#[test]
fn asl_validator_and_asl_validate_accept_every_conformance_definition() {
    let tool = asl_validator();
    let cases = all_cases();
    assert!(!cases.is_empty(), "no conformance cases found");
    let dir = std::env::temp_dir().join(format!("asl-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut disagreements = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let (theirs, said) =
            accepted_by_asl_validator(&tool, &dir.join(format!("{i}.json")), case.definition());
        let ours = case
            .machine()
            .map_err(|e| e.to_string())
            .and_then(|m| asl::validate(&m).map_err(|e| e.to_string()));
        if !theirs || ours.is_err() {
            disagreements.push(format!(
                "{}: asl-validator {} ({said}), asl::validate {ours:?}",
                case.name,
                if theirs { "accepts" } else { "rejects" },
            ));
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        disagreements.is_empty(),
        "{} of {} definitions are not accepted by both:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}
