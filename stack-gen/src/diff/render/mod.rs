//! A [`Diff`] as text for a terminal, markdown for a pull-request comment, or JSON.

mod markdown;
mod text;

use serde::Serialize;

use super::{Alert, Diff, EntryChange, ResourceChange, ResourceChangeKind, table_source};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a terminal.
    Text,
    /// For a pull-request comment.
    Markdown,
    /// For other programs.
    Json,
}

/// How the report names the two templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Labels {
    /// The base (a revision or a file).
    pub base: String,
    /// The current template (what the code generates now).
    pub current: String,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    base: &'a str,
    current: &'a str,
    changed: bool,
    update_table: &'static str,
    alerts: Vec<Alert>,
    #[serde(flatten)]
    diff: &'a Diff,
}

/// `diff` in `format`.
pub fn render(diff: &Diff, format: Format, labels: &Labels) -> Result<String, serde_json::Error> {
    Ok(match format {
        Format::Text => text::render(diff, labels),
        Format::Markdown => markdown::render(diff, labels),
        Format::Json => {
            let report = JsonReport {
                base: &labels.base,
                current: &labels.current,
                changed: !diff.is_empty(),
                update_table: table_source(),
                alerts: diff.alerts(),
                diff,
            };
            let mut out = serde_json::to_string_pretty(&report)?;
            out.push('\n');
            out
        }
    })
}

/// One line of counts: "3 resources (1 removed, 1 replaced or needing replacement, 1 updated in place), 2 IAM statements".
fn summary(diff: &Diff) -> String {
    let count = |n: usize, one: &str, many: &str| -> Option<String> {
        (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
    };
    let resources = &diff.resources;
    let by = |f: fn(&ResourceChange) -> bool| resources.iter().filter(|c| f(c)).count();
    let kinds: Vec<String> = [
        (by(|c| c.kind == ResourceChangeKind::Added), "added"),
        (by(ResourceChange::removed), "removed"),
        (
            by(ResourceChange::replaced),
            "replaced or needing replacement",
        ),
        (
            by(|c| c.kind == ResourceChangeKind::Modified && !c.replaced()),
            "updated in place",
        ),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    let mut parts = Vec::new();
    if let Some(resources) = count(resources.len(), "resource", "resources") {
        parts.push(format!("{resources} ({})", kinds.join(", ")));
    }
    parts.extend(count(diff.iam.len(), "IAM statement", "IAM statements"));
    parts.extend(count(diff.parameters.len(), "parameter", "parameters"));
    parts.extend(count(diff.conditions.len(), "condition", "conditions"));
    parts.extend(count(diff.outputs.len(), "output", "outputs"));
    parts.extend(count(
        diff.template.len(),
        "top-level entry",
        "top-level entries",
    ));
    parts.join(", ")
}

/// The named sections after the resources and IAM, with their titles.
fn entry_sections(diff: &Diff) -> [(&'static str, &[EntryChange]); 4] {
    [
        ("Parameters", &diff.parameters),
        ("Conditions", &diff.conditions),
        ("Outputs", &diff.outputs),
        ("Template", &diff.template),
    ]
}

fn kind_mark(kind: &ResourceChangeKind) -> &'static str {
    match kind {
        ResourceChangeKind::Added => "+",
        ResourceChangeKind::Removed => "-",
        ResourceChangeKind::Modified => "~",
        ResourceChangeKind::Renamed { .. } => ">",
    }
}

/// What happens to the resource, in a few words.
fn resource_outcome(change: &ResourceChange) -> String {
    match (&change.kind, change.behavior) {
        (ResourceChangeKind::Added, _) => "created".to_owned(),
        (ResourceChangeKind::Removed, _) => "deleted from the stack".to_owned(),
        (ResourceChangeKind::Renamed { from }, _) => {
            format!("replacement: new logical id (was {from})")
        }
        (_, Some(behavior)) => behavior.label().to_owned(),
        (_, None) => String::new(),
    }
}
