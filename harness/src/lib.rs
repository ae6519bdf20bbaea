//! What the integration tests and the benchmarks share: where the workspace and the
//! pinned tools are and how to run them ([`tools`]), moto in server mode on loopback
//! ([`moto`]), data sets and topic subscribers on it ([`fixtures`]), the web app on
//! a local-api ([`site`]) and headless Chromium to open it with ([`browser`]).

pub mod browser;
pub mod fixtures;
pub mod moto;
pub mod site;
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
