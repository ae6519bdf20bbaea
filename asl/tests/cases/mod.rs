//! Loading the conformance cases of `tests/conformance/`, shared by the conformance and
//! the asl-validator agreement tests.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// One conformance case file.
pub struct Case {
    /// Its path below `tests/conformance/`, such as `map/context-object-index-and-value`.
    pub name: String,
    fields: Map<String, Value>,
}

impl Case {
    /// The state machine definition as JSON.
    pub fn definition(&self) -> &Value {
        &self.fields["definition"]
    }

    /// The definition parsed.
    pub fn machine(&self) -> Result<asl::StateMachine, asl::ParseError> {
        asl::StateMachine::from_json(&self.definition().to_string())
    }

    /// The execution input.
    #[allow(dead_code, reason = "used by the conformance test only")]
    pub fn input(&self) -> Value {
        self.fields["input"].clone()
    }

    /// What each Task resource replies, by resource.
    #[allow(dead_code, reason = "used by the conformance test only")]
    pub fn tasks(&self) -> Vec<(String, Value)> {
        self.fields
            .get("tasks")
            .and_then(Value::as_object)
            .map(|tasks| tasks.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    /// The expected outcome.
    #[allow(dead_code, reason = "used by the conformance test only")]
    pub fn expected(&self) -> &Value {
        &self.fields["expected"]
    }
}

/// Every case, sorted by name; panics on a malformed case file.
pub fn all_cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let value: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
            let Value::Object(fields) = value else {
                panic!("{} is not a JSON object", path.display());
            };
            let source = fields
                .get("source")
                .and_then(Value::as_str)
                .unwrap_or_default();
            assert!(
                source.starts_with("https://docs.aws.amazon.com/step-functions/"),
                "{}: `source` must be the AWS Step Functions page the case comes from",
                path.display()
            );
            for field in ["definition", "input", "expected"] {
                assert!(
                    fields.contains_key(field),
                    "{}: no `{field}`",
                    path.display()
                );
            }
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .with_extension("")
                .display()
                .to_string();
            Case { name, fields }
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}
