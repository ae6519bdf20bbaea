//! The `stack-gen` binary: writes deterministic output, and `--check` catches drift.

// Test helpers panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use stack_gen::output::{TEMPLATE_FILE, definition_file};

fn stack_gen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stack-gen"))
        .args(args)
        .output()
        .unwrap()
}

fn generate_into(dir: &Path) {
    let out = stack_gen(&["--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn two_runs_write_identical_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate_into(a.path());
    generate_into(b.path());
    for file in [TEMPLATE_FILE.to_owned(), definition_file()] {
        let first = std::fs::read(a.path().join(&file)).unwrap();
        assert!(!first.is_empty());
        assert_eq!(
            first,
            std::fs::read(b.path().join(&file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn committed_cfn_out_is_current() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cfn-out");
    let out = stack_gen(&["--check", "--out", committed.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "cfn-out/ is stale: run `cargo run -p stack-gen` and commit it\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_fails_after_a_one_character_edit_and_names_the_file() {
    for file in [TEMPLATE_FILE.to_owned(), definition_file()] {
        let dir = tempfile::tempdir().unwrap();
        generate_into(dir.path());
        let out = stack_gen(&["--check", "--out", dir.path().to_str().unwrap()]);
        assert!(out.status.success(), "fresh output must pass --check");

        let path = dir.path().join(&file);
        let mut bytes = std::fs::read(&path).unwrap();
        let last_brace = bytes.iter().rposition(|b| *b == b'}').unwrap();
        bytes[last_brace] = b']';
        std::fs::write(&path, bytes).unwrap();

        let out = stack_gen(&["--check", "--out", dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(file.as_str()),
            "--check must name {file}: {stderr}"
        );
    }
}

#[test]
fn check_fails_when_a_file_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = stack_gen(&["--check", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !dir.path().join(TEMPLATE_FILE).exists(),
        "--check writes nothing"
    );
}
