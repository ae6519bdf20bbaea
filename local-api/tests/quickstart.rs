//! The README's "Run it locally" block, run as written: moto, `seed`, `serve` in the
//! deployed layout, curl for GET under the stage (all, by name in another case, by
//! family), a request without a token, the path without the stage (not the API), a
//! POST and its `Location` resolved on the origin, the notification in the inbox and
//! the new dragon. Only the two ports change (to
//! free ones), and `cargo run -q -p local-api --` runs the binary this test built.

// Test helpers panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    net::TcpListener,
    os::unix::process::CommandExt,
    process::{Command, Stdio},
};

use serde_json::Value;

/// The workspace root: this crate's parent folder.
fn workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn quickstart_block() -> String {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let (_, after) = readme
        .split_once("<!-- quickstart:begin -->")
        .expect("the README marks its quickstart");
    let (block, _) = after.split_once("<!-- quickstart:end -->").unwrap();
    let block = block.trim().strip_prefix("```sh").unwrap();
    block.strip_suffix("```").unwrap().to_owned()
}

#[test]
fn the_readme_quickstart_works_as_written() {
    let (moto_port, api_port) = (free_port(), free_port());
    let block = quickstart_block();
    assert!(block.contains("-p 5000") && block.contains("--port 3000"));
    let script = block
        .replace("5000", &moto_port.to_string())
        .replace("3000", &api_port.to_string());
    // `set -m`: each background job gets its own process group, so `kill %n` stops
    // it whole, as in an interactive shell.
    let prelude = r#"set -euo pipefail -m
cargo() {
  if [ "$1 $2 $3 $4 $5" != "run -q -p local-api --" ]; then echo "unexpected: cargo $*" >&2; return 1; fi
  shift 5
  "$LOCAL_API_BIN" "$@"
}
"#;
    let mut bash = Command::new("bash");
    bash.arg("-c")
        .arg(format!("{prelude}{script}"))
        .current_dir(workspace())
        .env("LOCAL_API_BIN", env!("CARGO_BIN_EXE_local-api"))
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdin(Stdio::null())
        .process_group(0);
    let child = bash
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let group = child.id();
    let output = child.wait_with_output().unwrap();
    // Whatever happened, nothing the block started outlives the test.
    let _ = Command::new("kill")
        .args(["-9", "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the quickstart failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{stdout}");
    let json = |line: &str| -> Value {
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let sample = std::fs::read_to_string(workspace().join("data/dragons.jsonl")).unwrap();
    assert_eq!(
        json(lines[0]).as_array().unwrap().len(),
        sample.lines().count()
    );
    let atlas = json(lines[1]);
    assert_eq!(atlas.as_array().unwrap().len(), 1);
    assert_eq!(atlas[0]["dragon_name_str"], "Atlas");
    let red = json(lines[2]);
    assert!(red.as_array().unwrap().len() >= 6);
    assert!(
        red.as_array()
            .unwrap()
            .iter()
            .all(|dragon| dragon["family_str"] == "red")
    );
    assert_eq!(lines[3], r#"{"message":"Unauthorized"}401"#);
    // Outside the stage is the site, not the API.
    assert_eq!(lines[4], "403");
    let accepted = json(lines[5]);
    assert_eq!(accepted["status"], "RUNNING", "{accepted}");
    let report = json(lines[6]);
    assert_eq!(report["reportId"], accepted["reportId"], "{report}");
    assert_eq!(report["status"], "ADDED", "{report}");
    assert_eq!(report["dragon"]["dragon_name_str"], "Quill");
    let notification = json(lines[7]);
    assert_eq!(notification["message"], "The dragon Quill was added.");
    assert_eq!(notification["attributes"]["outcome"], "added");
    let quill = json(lines[8]);
    assert_eq!(quill[0]["location_city_str"], "Reykjavík");
    assert_eq!(
        quill[0]["description_str"],
        "Nests on the old harbour crane.\nShy in daylight."
    );
}
