//! The generated files: what `cfn-out/` holds, writing it, and checking it is current.

use std::io;
use std::path::{Path, PathBuf};

use crate::stack::{self, StackError};

/// Path of the template, relative to the output directory.
pub const TEMPLATE_FILE: &str = "dragons.template.json";
/// Path of the bootstrap template, relative to the output directory.
pub const BOOTSTRAP_FILE: &str = "bootstrap.template.json";
/// Path of the OpenAPI document, relative to the output directory.
pub const OPENAPI_FILE: &str = "openapi.json";
/// Path of the state machine definition, relative to the output directory.
pub fn definition_file() -> String {
    format!(
        "statemachines/{}.asl.json",
        dragons_contract::names::STATE_MACHINE
    )
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the output directory.
    pub path: String,
    /// The exact bytes to write.
    pub contents: String,
}

/// Why generating, writing or checking failed.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The stack could not be built.
    #[error(transparent)]
    Stack(#[from] StackError),
    /// The bootstrap template could not be built.
    #[error(transparent)]
    Bootstrap(#[from] crate::template::TemplateError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// Builds the stack and renders every output file.
pub fn generate() -> Result<Vec<GeneratedFile>, OutputError> {
    let stack = stack::build()?;
    Ok(vec![
        GeneratedFile {
            path: TEMPLATE_FILE.to_owned(),
            contents: stack.template.to_json().map_err(StackError::Json)?,
        },
        GeneratedFile {
            path: definition_file(),
            contents: stack.definition.to_json_pretty(),
        },
        GeneratedFile {
            path: BOOTSTRAP_FILE.to_owned(),
            contents: crate::bootstrap::build()?
                .to_json()
                .map_err(StackError::Json)?,
        },
        GeneratedFile {
            path: OPENAPI_FILE.to_owned(),
            contents: crate::openapi::to_json_pretty(),
        },
    ])
}

/// Writes the files under `dir`, creating folders as needed.
pub fn write(dir: &Path, files: &[GeneratedFile]) -> Result<(), OutputError> {
    for file in files {
        let path = dir.join(&file.path);
        let io_error = |source| OutputError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        std::fs::write(&path, &file.contents).map_err(io_error)?;
    }
    Ok(())
}

/// The files under `dir` that are missing or differ from `files`.
pub fn stale(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>, OutputError> {
    let mut stale = Vec::new();
    for file in files {
        let path = dir.join(&file.path);
        match std::fs::read(&path) {
            Ok(bytes) if bytes == file.contents.as_bytes() => {}
            Ok(_) => stale.push(path),
            Err(error) if error.kind() == io::ErrorKind::NotFound => stale.push(path),
            Err(source) => return Err(OutputError::Io { path, source }),
        }
    }
    Ok(stale)
}
