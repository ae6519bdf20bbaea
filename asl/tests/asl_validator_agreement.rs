//! asl-validator (the pinned npm tool in `.tools/`) and `asl::validate` agree on every
//! conformance definition: both accept it.

mod cases;

use std::path::PathBuf;
use std::process::Command;

use cases::all_cases;

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

#[test]
fn asl_validator_and_asl_validate_accept_every_conformance_definition() {
    let tool = asl_validator();
    let cases = all_cases();
    assert!(!cases.is_empty(), "no conformance cases found");
    let dir = std::env::temp_dir().join(format!("asl-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut disagreements = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let file = dir.join(format!("{i}.json"));
        std::fs::write(&file, case.definition().to_string()).unwrap();
        let run = Command::new(&tool)
            .arg("--json-path")
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
        let theirs = run.status.success();
        let ours = case
            .machine()
            .map_err(|e| e.to_string())
            .and_then(|m| asl::validate(&m).map_err(|e| e.to_string()));
        if !theirs || ours.is_err() {
            disagreements.push(format!(
                "{}: asl-validator {} ({}{}), asl::validate {:?}",
                case.name,
                if theirs { "accepts" } else { "rejects" },
                String::from_utf8_lossy(&run.stdout).trim(),
                String::from_utf8_lossy(&run.stderr).trim(),
                ours
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
