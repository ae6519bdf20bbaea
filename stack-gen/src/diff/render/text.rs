//! The report for a terminal.

use std::fmt::Write;

use super::{Labels, entry_sections, kind_mark, resource_outcome, summary};
use crate::diff::{Diff, EntryChangeKind, FieldChange, StatementChangeKind, table_source};

fn arrow(old: Option<&str>, new: Option<&str>) -> String {
    format!("{} → {}", old.unwrap_or("(none)"), new.unwrap_or("(none)"))
}

fn statement_mark(kind: StatementChangeKind) -> &'static str {
    match kind {
        StatementChangeKind::Added => "+",
        StatementChangeKind::Removed => "-",
        StatementChangeKind::Modified => "~",
    }
}

fn entry_mark(kind: EntryChangeKind) -> &'static str {
    match kind {
        EntryChangeKind::Added => "+",
        EntryChangeKind::Removed => "-",
        EntryChangeKind::Modified => "~",
    }
}

fn fields(out: &mut String, changes: &[FieldChange]) {
    for change in changes {
        let _ = writeln!(
            out,
            "      {}: {}",
            change.path,
            arrow(change.old.as_deref(), change.new.as_deref())
        );
    }
}

/// The report as plain text.
pub fn render(diff: &Diff, labels: &Labels) -> String {
    let mut out = String::new();
    let _ = write!(out, "stack-gen diff: {} → {}", labels.base, labels.current);
    if diff.is_empty() {
        out.push_str(": no changes\n");
        return out;
    }
    let _ = writeln!(out, "\n{}", summary(diff));

    let alerts = diff.alerts();
    if !alerts.is_empty() {
        out.push_str("\nAttention\n");
        for alert in alerts {
            let _ = writeln!(out, "  ! {}: {}", alert.subject, alert.message);
        }
    }

    if !diff.resources.is_empty() {
        out.push_str("\nResources\n");
    }
    for change in &diff.resources {
        let _ = writeln!(
            out,
            "  {} {}  {}  {}",
            kind_mark(&change.kind),
            change.id,
            change.resource_type,
            resource_outcome(change)
        );
        if let (Some(holds), Some(data)) = (change.holds, &change.data) {
            let _ = writeln!(out, "      holds {holds}: {data}");
        }
        for property in change.properties.iter().chain(&change.attributes) {
            let _ = write!(
                out,
                "      {}: {}  [{}",
                property.path,
                arrow(property.old.as_deref(), property.new.as_deref()),
                property.behavior.label()
            );
            match &property.reason {
                Some(reason) => {
                    let _ = writeln!(out, ": {reason}]");
                }
                None => out.push_str("]\n"),
            }
        }
    }

    if !diff.iam.is_empty() {
        out.push_str("\nIAM statements\n");
    }
    for statement in &diff.iam {
        let sid = statement
            .sid
            .as_deref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {} {}{sid}: {} {}",
            statement_mark(statement.kind),
            statement.owner,
            statement.document,
            statement.effect,
            statement.actions.join(", ")
        );
        if !statement.resources.is_empty() {
            let _ = writeln!(out, "      on {}", statement.resources.join(", "));
        }
        if !statement.principals.is_empty() {
            let _ = writeln!(out, "      to {}", statement.principals.join(", "));
        }
        if let Some(condition) = &statement.condition {
            let _ = writeln!(out, "      when {condition}");
        }
        if !statement.gained.is_empty() {
            let _ = writeln!(out, "      gained: {}", statement.gained.join("; "));
        }
        if !statement.lost.is_empty() {
            let _ = writeln!(out, "      lost: {}", statement.lost.join("; "));
        }
        if !statement.wildcards.is_empty() {
            let _ = writeln!(out, "      WILDCARD: {}", statement.wildcards.join("; "));
        }
    }

    for (title, entries) in entry_sections(diff) {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}");
        for entry in entries {
            let _ = writeln!(out, "  {} {}", entry_mark(entry.kind), entry.id);
            if entry.kind == EntryChangeKind::Modified {
                fields(&mut out, &entry.changes);
            }
            if let Some(note) = &entry.note {
                let _ = writeln!(out, "      note: {note}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\nUpdate behaviour: AWS's provider schemas ({}).",
        table_source()
    );
    out
}
