//! The template to compare with: the generated template as committed at a git
//! revision (read with `git show`, run as a subprocess), or a template file.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::DiffError;

/// Where the base template comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A git revision (`HEAD`, `origin/main`, a commit).
    Revision(String),
    /// A template file.
    File(PathBuf),
}

impl Base {
    /// An existing file is read as a template; anything else is a git revision.
    pub fn parse(spec: &str) -> Self {
        let path = Path::new(spec);
        if path.is_file() {
            Self::File(path.to_owned())
        } else {
            Self::Revision(spec.to_owned())
        }
    }

    /// How reports name it.
    pub fn label(&self) -> String {
        match self {
            Self::Revision(revision) => revision.clone(),
            Self::File(path) => path.display().to_string(),
        }
    }

    /// The base template, as JSON. `template` is where the generated template lives
    /// in the work tree; a revision is read at the same path.
    pub fn load(&self, template: &Path) -> Result<Value, DiffError> {
        let (text, what) = match self {
            Self::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|cause| DiffError::Read {
                    path: path.clone(),
                    cause,
                })?;
                (text, path.display().to_string())
            }
            Self::Revision(revision) => (
                show(revision, template)?,
                format!("{} at {revision}", template.display()),
            ),
        };
        serde_json::from_str(&text).map_err(|cause| DiffError::Json { what, cause })
    }
}

/// `git show REVISION:./NAME`, run in the template's folder.
fn show(revision: &str, template: &Path) -> Result<String, DiffError> {
    if revision.is_empty() || revision.starts_with('-') {
        return Err(DiffError::Git(format!(
            "`{revision}` is neither a file nor a git revision"
        )));
    }
    let folder = template.parent().unwrap_or(Path::new("."));
    let name = template
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let output = Command::new("git")
        .arg("-C")
        .arg(folder)
        .arg("show")
        .arg(format!("{revision}:./{name}"))
        .output()
        .map_err(DiffError::GitSpawn)?;
    if output.status.success() {
        return String::from_utf8(output.stdout)
            .map_err(|_| DiffError::Git(format!("{name} at {revision} is not UTF-8 text")));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let message = stderr.trim();
    Err(DiffError::Git(
        if message.contains("not a git repository") {
            format!(
                "{} is not in a git repository: pass --base FILE to compare with a template file",
                folder.display()
            )
        } else {
            format!(
                "cannot read {name} at `{revision}` (is it a file or a revision of this repository?): {message}"
            )
        },
    ))
}
