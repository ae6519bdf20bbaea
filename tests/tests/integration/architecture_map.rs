//! ARCHITECTURE.md names every source module: a module the code map leaves out
//! fails here, so the map cannot fall behind the code unnoticed.

use std::path::{Path, PathBuf};

use dragons_harness::in_workspace;

/// The crates whose modules the map must name.
const CRATES: [&str; 8] = [
    "contract",
    "stack-gen",
    "asl",
    "handlers",
    "local-api",
    "ops",
    "harness",
    "bench",
];

/// A source module: a `.rs` file (other than a crate or directory root) or a
/// directory module, relative to the workspace.
#[derive(Debug, PartialEq, Eq)]
enum Module {
    File(PathBuf),
    Dir(PathBuf),
}

impl Module {
    /// Whether `doc` names it: a file as `name.rs` or `` `name` ``, a directory as `name/`.
    fn is_named_in(&self, doc: &str) -> bool {
        match self {
            Module::File(path) => {
                let stem = stem_of(path);
                doc.contains(&format!("{stem}.rs")) || doc.contains(&format!("`{stem}`"))
            }
            Module::Dir(path) => doc.contains(&format!("{}/", stem_of(path))),
        }
    }
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Test-only modules (`tests.rs`, `*_tests.rs`, anything under `tests/`) and roots
/// (`lib.rs`, `main.rs`, `mod.rs`) are not the map's business.
fn is_mapped(path: &Path) -> bool {
    let stem = stem_of(path);
    !matches!(stem.as_str(), "lib" | "main" | "mod" | "tests") && !stem.ends_with("_tests")
}

/// Every module under `dir`, recursively, in a stable order.
fn modules_under(root: &Path, dir: &Path, found: &mut Vec<Module>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let relative = path
            .strip_prefix(root)
            .expect("under the root")
            .to_path_buf();
        if path.is_dir() {
            if stem_of(&path) == "tests" {
                continue;
            }
            found.push(Module::Dir(relative));
            modules_under(root, &path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") && is_mapped(&path) {
            found.push(Module::File(relative));
        }
    }
}

/// The modules of `crates` that `doc` does not name.
fn unnamed(root: &Path, crates: &[&str], doc: &str) -> Vec<Module> {
    let mut modules = Vec::new();
    for krate in crates {
        modules_under(root, &root.join(krate).join("src"), &mut modules);
    }
    modules
        .into_iter()
        .filter(|module| !module.is_named_in(doc))
        .collect()
}

#[test]
fn the_architecture_document_names_every_source_module() {
    let root = in_workspace("");
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let missing = unnamed(&root, &CRATES, &doc);
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name these modules (say where they fit in its code map): {missing:#?}"
    );
}

#[test]
fn a_module_left_out_of_the_document_is_found() {
    let root = in_workspace("");
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    // Remove every mention of one module the document names: the check must see it.
    let without = doc.replace("routes.rs", "").replace("`routes`", "");
    let missing = unnamed(&root, &["contract"], &without);
    assert!(
        missing.contains(&Module::File(PathBuf::from("contract/src/routes.rs"))),
        "a module missing from the document went unnoticed: {missing:?}"
    );
    let without_dir = doc.replace("interpret/", "");
    assert!(
        unnamed(&root, &["asl"], &without_dir)
            .contains(&Module::Dir(PathBuf::from("asl/src/interpret"))),
        "a directory module missing from the document went unnoticed"
    );
}
