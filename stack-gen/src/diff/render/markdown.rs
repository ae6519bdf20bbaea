//! The report as GitHub-flavoured markdown, to post as a pull-request comment. The
//! first line is an HTML comment a bot can find the comment by, to update it.

use std::fmt::Write;

use super::{Labels, entry_sections, kind_mark, resource_outcome, summary};
use crate::diff::{Diff, EntryChangeKind, StatementChangeKind, table_source};

/// The first line of every report: what a bot looks for to update its comment.
pub const MARKER: &str = "<!-- stack-gen diff -->";

/// `text` as inline code that a table cell keeps whole.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// `text` as plain table-cell text.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn value(text: Option<&str>) -> String {
    text.map(code).unwrap_or_else(|| "—".to_owned())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "—".to_owned();
    }
    items
        .iter()
        .map(|item| code(item))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report as markdown.
pub fn render(diff: &Diff, labels: &Labels) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{MARKER}");
    let _ = writeln!(
        out,
        "### `stack-gen diff`: {} → {}\n",
        code(&labels.base),
        cell(&labels.current)
    );
    if diff.is_empty() {
        out.push_str("No changes to the template.\n");
        return out;
    }
    let _ = writeln!(out, "**{}**\n", summary(diff));

    let alerts = diff.alerts();
    if !alerts.is_empty() {
        out.push_str("> [!CAUTION]\n");
        for alert in alerts {
            let _ = writeln!(
                out,
                "> - **{}**: {}",
                cell(&alert.subject),
                cell(&alert.message)
            );
        }
        out.push('\n');
    }

    if !diff.resources.is_empty() {
        out.push_str("| | Resource | Type | Update |\n|---|---|---|---|\n");
        for change in &diff.resources {
            let mut outcome = cell(&resource_outcome(change));
            if change.replaced() || change.removed() {
                outcome = format!("**{outcome}**");
            }
            if let Some(holds) = change.holds {
                outcome.push_str(&format!(" (holds {holds})"));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {outcome} |",
                kind_mark(&change.kind),
                code(&change.id),
                code(&change.resource_type)
            );
        }
        out.push('\n');
    }

    for change in &diff.resources {
        if change.properties.is_empty() && change.attributes.is_empty() && change.data.is_none() {
            continue;
        }
        let _ = writeln!(
            out,
            "#### {} ({})\n",
            code(&change.id),
            code(&change.resource_type)
        );
        if let Some(data) = &change.data {
            let _ = writeln!(out, "{}\n", cell(data));
        }
        if change.properties.is_empty() && change.attributes.is_empty() {
            continue;
        }
        out.push_str("| Property | Old | New | Update |\n|---|---|---|---|\n");
        for property in change.properties.iter().chain(&change.attributes) {
            let mut behavior = property.behavior.label().to_owned();
            if property.behavior.replaces() {
                behavior = format!("**{behavior}**");
            }
            if let Some(reason) = &property.reason {
                behavior.push_str(&format!(": {}", cell(reason)));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {behavior} |",
                code(&property.path.to_string()),
                value(property.old.as_deref()),
                value(property.new.as_deref())
            );
        }
        out.push('\n');
    }

    if !diff.iam.is_empty() {
        out.push_str("#### IAM statements\n\n");
        out.push_str("| | Owner | Document | Effect | Actions | Resources | Principals | Condition | Notes |\n");
        out.push_str("|---|---|---|---|---|---|---|---|---|\n");
        for statement in &diff.iam {
            let mark = match statement.kind {
                StatementChangeKind::Added => "+",
                StatementChangeKind::Removed => "-",
                StatementChangeKind::Modified => "~",
            };
            let mut notes: Vec<String> = Vec::new();
            if let Some(sid) = &statement.sid {
                notes.push(format!("Sid {}", code(sid)));
            }
            if !statement.gained.is_empty() {
                notes.push(format!("gained {}", list(&statement.gained)));
            }
            if !statement.lost.is_empty() {
                notes.push(format!("lost {}", list(&statement.lost)));
            }
            if !statement.wildcards.is_empty() {
                notes.push(format!("**wildcard** {}", list(&statement.wildcards)));
            }
            let _ = writeln!(
                out,
                "| {mark} | {} | {} | {} | {} | {} | {} | {} | {} |",
                code(&statement.owner),
                cell(&statement.document),
                cell(&statement.effect),
                list(&statement.actions),
                list(&statement.resources),
                list(&statement.principals),
                value(statement.condition.as_deref()),
                notes.join("; ")
            );
        }
        out.push('\n');
    }

    for (title, entries) in entry_sections(diff) {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "#### {title}\n");
        out.push_str("| | Name | Where | Old | New |\n|---|---|---|---|---|\n");
        for entry in entries {
            let mark = match entry.kind {
                EntryChangeKind::Added => "+",
                EntryChangeKind::Removed => "-",
                EntryChangeKind::Modified => "~",
            };
            let note = entry
                .note
                .as_deref()
                .map(|n| format!(" ({})", cell(n)))
                .unwrap_or_default();
            for change in &entry.changes {
                let _ = writeln!(
                    out,
                    "| {mark} | {}{note} | {} | {} | {} |",
                    code(&entry.id),
                    code(&change.path.to_string()),
                    value(change.old.as_deref()),
                    value(change.new.as_deref())
                );
            }
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "<sub>Update behaviour from AWS's provider schemas ({}); made offline by `stack-gen diff`.</sub>",
        table_source()
    );
    out
}
