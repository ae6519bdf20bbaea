//! `stack-gen diff`: what a change to the stack code does to a deployed stack, told
//! offline from two templates (the one the code generates now, and a base one).
//!
//! Per resource: added, removed, renamed or modified, with each changed property,
//! its old and new value, and whether CloudFormation updates it in place or replaces
//! the resource ([`update_behavior`], from AWS's provider schemas). Resources that
//! hold data are flagged when replaced or removed, with what their `DeletionPolicy`
//! or `UpdateReplacePolicy` does to the data. IAM statements are compared on their
//! own ([`iam`]), and so are parameters, conditions and outputs ([`sections`]).

mod base;
mod deployed;
mod display;
mod iam;
mod path;
mod refused;
mod render;
mod resources;
mod sections;
mod stateful;
mod type_rules;
mod update_behavior;
mod update_table;
mod values;

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

pub use base::Base;
pub use deployed::{Deployed, comparable};
pub use iam::{StatementChange, StatementChangeKind};
pub use path::{Path, Segment};
pub use render::{Format, Labels, render};
pub use resources::{PropertyChange, ResourceChange, ResourceChangeKind};
pub use sections::{EntryChange, EntryChangeKind, FieldChange};
pub use type_rules::TypeRules;
pub use update_behavior::{UpdateBehavior, Verdict, classify, rules, schema_verdict, table_source};

/// Why a diff could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// git could not be started.
    #[error("could not run git: {0}")]
    GitSpawn(std::io::Error),
    /// git could not give the base template.
    #[error("{0}")]
    Git(String),
    /// A template file could not be read.
    #[error("{path}: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// A template is not JSON.
    #[error("{what} is not JSON: {cause}")]
    Json {
        /// Which template.
        what: String,
        /// The cause.
        cause: serde_json::Error,
    },
    /// A template is JSON but not shaped like a template.
    #[error("{what} is not a CloudFormation template: {reason}")]
    Shape {
        /// Which template.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// Everything that differs between two templates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Resources added, removed, renamed or modified, by logical id.
    pub resources: Vec<ResourceChange>,
    /// IAM statements added, removed or modified.
    pub iam: Vec<StatementChange>,
    /// Parameters.
    pub parameters: Vec<EntryChange>,
    /// Conditions.
    pub conditions: Vec<EntryChange>,
    /// Outputs.
    pub outputs: Vec<EntryChange>,
    /// Other top-level entries (`Description`, `Mappings`, ...).
    pub template: Vec<EntryChange>,
}

/// Something a reviewer should look at first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// What it is about (a logical id, or a role and its policy).
    pub subject: String,
    /// What happens.
    pub message: String,
}

/// When `stack-gen diff` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any change.
    Changes,
    /// A resource replaced, maybe replaced, refused in place, of unknown update
    /// behaviour, or removed.
    Replacement,
    /// The same, for resources that hold data.
    StatefulReplacement,
}

impl Diff {
    /// Whether the templates are the same.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
            && self.iam.is_empty()
            && self.parameters.is_empty()
            && self.conditions.is_empty()
            && self.outputs.is_empty()
            && self.template.is_empty()
    }

    /// Whether the gate `fail_on` fails on this diff.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        let destructive = |c: &&ResourceChange| {
            c.removed() || c.replaced() || c.behavior == Some(UpdateBehavior::Unknown)
        };
        match fail_on {
            FailOn::Changes => !self.is_empty(),
            FailOn::Replacement => self.resources.iter().any(|c| destructive(&c)),
            FailOn::StatefulReplacement => self
                .resources
                .iter()
                .filter(|c| c.holds.is_some())
                .any(|c| destructive(&c)),
        }
    }

    /// What to look at first: data at risk, updates that cannot work, unknown
    /// update behaviour, and wildcards in IAM.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut out = Vec::new();
        for change in &self.resources {
            let subject = format!("{} ({})", change.id, change.resource_type);
            let what = match (&change.kind, change.behavior) {
                (ResourceChangeKind::Removed, _) => "removed".to_owned(),
                (ResourceChangeKind::Renamed { from }, _) => {
                    format!("renamed from {from}: replaced")
                }
                (_, Some(behavior)) => behavior.label().to_owned(),
                _ => continue,
            };
            let reasons = || {
                change
                    .properties
                    .iter()
                    .filter(|p| Some(p.behavior) == change.behavior)
                    .map(|p| match &p.reason {
                        Some(reason) => format!("{}: {reason}", p.path),
                        None => p.path.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            if let (true, Some(holds)) = (change.data_at_risk(), change.holds) {
                let data = capitalized(change.data.as_deref().unwrap_or_default());
                let why = reasons();
                let why = if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({why})")
                };
                out.push(Alert {
                    subject,
                    message: format!("STATEFUL, holds {holds}: {what}{why}. {data}"),
                });
            } else if matches!(
                change.behavior,
                Some(UpdateBehavior::Refused | UpdateBehavior::Unknown)
            ) {
                out.push(Alert {
                    subject,
                    message: format!("{what}: {}", reasons()),
                });
            }
        }
        for statement in &self.iam {
            for wildcard in &statement.wildcards {
                out.push(Alert {
                    subject: format!("{} {}", statement.owner, statement.document),
                    message: format!("IAM wildcard added: {wildcard}"),
                });
            }
        }
        out
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn sections<'a>(
    template: &'a Value,
    what: &'static str,
) -> Result<&'a serde_json::Map<String, Value>, DiffError> {
    template.as_object().ok_or(DiffError::Shape {
        what,
        reason: "not a JSON object".to_owned(),
    })
}

/// Compares the `base` template with the `current` one.
pub fn compare(base: &Value, current: &Value) -> Result<Diff, DiffError> {
    let (old, new) = (
        sections(base, "the base template")?,
        sections(current, "the current template")?,
    );
    let shape = |reason: String| DiffError::Shape {
        what: "a template",
        reason,
    };
    let section = |name: &str, note: sections::Note| {
        sections::compare(name, old.get(name), new.get(name), note).map_err(shape)
    };
    Ok(Diff {
        resources: resources::compare(old.get("Resources"), new.get("Resources")).map_err(shape)?,
        iam: iam::compare(old.get("Resources"), new.get("Resources")),
        parameters: section("Parameters", sections::parameter_note)?,
        conditions: section("Conditions", sections::no_note)?,
        outputs: section("Outputs", sections::output_note)?,
        template: sections::compare_top_level(old, new),
    })
}
