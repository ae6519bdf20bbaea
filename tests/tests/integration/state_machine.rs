//! The report-dragon definition: the same in the template and in
//! `cfn-out/statemachines/`, valid for `asl::validate` and for `asl-validator`.

use std::collections::BTreeSet;

use dragons_harness::in_workspace;
use dragons_harness::tools::{Tool, arg};
use serde_json::Value;

use crate::util::{resources_of_type, template};

const DEFINITION: &str = "cfn-out/statemachines/report-dragon.asl.json";

fn template_definition() -> (Value, Value) {
    let template = template();
    let machines = resources_of_type(&template, "AWS::StepFunctions::StateMachine");
    assert_eq!(machines.len(), 1);
    let properties = &machines[0].1["Properties"];
    (
        properties["Definition"].clone(),
        properties["DefinitionSubstitutions"].clone(),
    )
}

fn file_definition() -> String {
    std::fs::read_to_string(in_workspace(DEFINITION)).unwrap()
}

#[test]
fn template_embeds_the_committed_definition() {
    let (embedded, _) = template_definition();
    let file: Value = serde_json::from_str(&file_definition()).unwrap();
    assert_eq!(embedded, file);
}

#[test]
fn substitutions_cover_exactly_the_placeholders() {
    let (_, substitutions) = template_definition();
    let text = file_definition();
    let placeholders: BTreeSet<String> = text
        .split("${")
        .skip(1)
        .map(|rest| rest.split('}').next().unwrap().to_owned())
        .collect();
    let keys: BTreeSet<String> = substitutions.as_object().unwrap().keys().cloned().collect();
    assert_eq!(placeholders, keys);
}

#[test]
fn both_definitions_pass_asl_validate() {
    let (embedded, _) = template_definition();
    for text in [file_definition(), embedded.to_string()] {
        let machine = asl::StateMachine::from_json(&text).unwrap();
        asl::validate(&machine).unwrap();
    }
}

#[test]
fn both_definitions_pass_asl_validator() {
    let (embedded, _) = template_definition();
    let dir = tempfile::tempdir().unwrap();
    let embedded_path = dir.path().join("embedded.asl.json");
    std::fs::write(&embedded_path, embedded.to_string()).unwrap();
    for path in [in_workspace(DEFINITION), embedded_path] {
        let run = Tool::AslValidator
            .run(["--json-path", &arg(&path)])
            .unwrap();
        assert_eq!(run.code, Some(0), "{}: {run:?}", path.display());
    }
}

#[test]
fn asl_validator_rejects_a_broken_definition() {
    let mut broken: Value = serde_json::from_str(&file_definition()).unwrap();
    broken["States"]["AddDragon"]["Next"] = "NoSuchState".into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.asl.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    let run = Tool::AslValidator
        .run(["--json-path", &arg(&path)])
        .unwrap();
    assert_ne!(
        run.code,
        Some(0),
        "asl-validator accepted a missing Next target: {run:?}"
    );
    let machine = asl::StateMachine::from_json(&broken.to_string()).unwrap();
    assert!(asl::validate(&machine).is_err());
}
