//! The integration tests' harness: where the repository and the pinned tools are,
//! and how to run the tools; and `sample`, the deterministic generator of sample
//! dragons (`gen-dragons`). The tests themselves live in `tests/integration/`.

pub mod fixtures;
pub mod moto;
pub mod sample;
pub mod tools;

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding `Cargo.toml`, `cfn-out/`, `.tools/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// A path under the workspace root.
pub fn in_workspace(relative: &str) -> PathBuf {
    workspace_root().join(relative)
}
