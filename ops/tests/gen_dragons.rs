//! `gen-dragons` writes exactly what `dragons_ops::sample` generates.

// Test helpers panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use dragons_ops::sample;

fn gen_dragons(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gen-dragons"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn gen_dragons_writes_what_the_library_generates() {
    let lines = gen_dragons(&["--count", "300", "--seed", "9"]);
    assert!(lines.status.success(), "{lines:?}");
    assert_eq!(
        lines.stdout,
        sample::write_lines(300, 9, Vec::new()).unwrap()
    );

    let default_seed = gen_dragons(&["--count", "50"]);
    assert_eq!(
        default_seed.stdout,
        sample::write_lines(50, sample::DEFAULT_SEED, Vec::new()).unwrap()
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dragons.json");
    let array = gen_dragons(&[
        "--count",
        "300",
        "--seed",
        "9",
        "--format",
        "array",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(array.status.success(), "{array:?}");
    assert!(array.stdout.is_empty());
    assert_eq!(
        std::fs::read(&out).unwrap(),
        sample::write_array(300, 9, Vec::new()).unwrap()
    );
}

#[test]
fn gen_dragons_requires_a_count() {
    let output = gen_dragons(&[]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--count"));
    let bad = gen_dragons(&["--count", "1", "--format", "yaml"]);
    assert!(!bad.status.success());
}
