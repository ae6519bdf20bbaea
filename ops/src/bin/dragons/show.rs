//! Printing results: readable text, or one JSON document (`--output json`) on stdout.
//! Progress and migration events go to stderr.

use std::io::Write;

use dragons_ops::{
    destroy::{Outcome, Plan},
    logs::{Line, LogGroup},
    migrate::{Event, Tally},
    publish::Published,
    smoke::SmokeReport,
    stack::Stack,
    upload::{Mode, Summary},
    users::User,
};
use serde::Serialize;
use serde_json::json;

/// Prints results as text or JSON.
pub struct Printer {
    json: bool,
}

impl Printer {
    /// A printer of JSON (`json`) or text.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    fn emit(&self, value: &impl Serialize, text: impl FnOnce() -> String) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        if self.json {
            serde_json::to_writer_pretty(&mut out, value)?;
            writeln!(out)?;
        } else {
            write!(out, "{}", text())?;
        }
        out.flush()?;
        Ok(())
    }

    pub fn outputs(&self, stack: &Stack) -> anyhow::Result<()> {
        self.emit(stack, || {
            let mut text = format!("{} {}\n", stack.name, stack.status);
            for (key, value) in &stack.outputs {
                text.push_str(&format!("{key:<20} {value}\n"));
            }
            text
        })
    }

    pub fn value(&self, key: &str, value: &str) -> anyhow::Result<()> {
        self.emit(&json!({ key: value }), || format!("{value}\n"))
    }

    pub fn token(&self, token: &str) -> anyhow::Result<()> {
        self.emit(&json!({ "idToken": token }), || format!("{token}\n"))
    }

    pub fn done(&self, what: &str, username: &str) -> anyhow::Result<()> {
        self.emit(&json!({ what: username }), || {
            format!("{what} {username}\n")
        })
    }

    pub fn users(&self, users: &[User]) -> anyhow::Result<()> {
        self.emit(&users, || {
            users
                .iter()
                .map(|user| {
                    format!(
                        "{:<40} {:<22} {}{}\n",
                        user.email.as_deref().unwrap_or(&user.username),
                        user.status.as_deref().unwrap_or("-"),
                        user.sub.as_deref().unwrap_or("-"),
                        if user.enabled { "" } else { " (disabled)" }
                    )
                })
                .collect()
        })
    }

    pub fn log_groups(&self, groups: &[LogGroup]) -> anyhow::Result<()> {
        self.emit(&groups, || {
            groups
                .iter()
                .map(|group| format!("{:<8} {}\n", group.source.label(), group.name))
                .collect()
        })
    }

    pub fn log_lines(&self, lines: &[Line]) -> anyhow::Result<()> {
        self.emit(&lines, || {
            lines
                .iter()
                .map(|line| format!("{}\n", line.readable()))
                .collect()
        })
    }

    /// One line as it comes (`--follow`): a JSON object per line in JSON.
    pub fn log_line(&self, line: &Line) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        if self.json {
            serde_json::to_writer(&mut out, line)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}", line.readable())?;
        }
        out.flush()?;
        Ok(())
    }

    pub fn smoke(&self, report: &SmokeReport) -> anyhow::Result<()> {
        self.emit(report, || {
            format!(
                "smoke test passed in {} ms: GET listed {}, report {} ended {:?}{}{}\n",
                report.millis,
                report.listed,
                report.report_id,
                report.outcome,
                report
                    .reason
                    .as_deref()
                    .map(|reason| format!(" ({reason})"))
                    .unwrap_or_default(),
                report
                    .added_dragon
                    .as_deref()
                    .map(|name| format!("; the store was empty, so it added {name}"))
                    .unwrap_or_default()
            )
        })
    }

    pub fn upload(&self, summary: &Summary) -> anyhow::Result<()> {
        self.emit(summary, || {
            let verb = if summary.written { "wrote" } else { "would write" };
            let others = match summary.mode {
                Mode::Merge => format!("{} kept from the object", summary.kept),
                Mode::Replace => format!("{} DROPPED from the object", summary.dropped),
            };
            format!(
                "{verb} s3://{}/{} ({:?}): {} dragons from {} ({} added, {} updated, {} unchanged, {others}); {} in the file\n",
                summary.bucket,
                summary.key,
                summary.mode,
                summary.after,
                summary.before,
                summary.added,
                summary.updated,
                summary.unchanged,
                summary.in_file
            )
        })
    }

    pub fn migrated(&self, direction: &str, tally: &Tally) -> anyhow::Result<()> {
        self.emit(&json!({ "direction": direction, "tally": tally }), || {
            format!("{direction}: {tally}\n")
        })
    }

    pub fn published(&self, published: &Published) -> anyhow::Result<()> {
        let files: Vec<_> = published
            .files
            .iter()
            .map(|(key, caching)| json!({ "key": key, "cacheControl": caching.header() }))
            .collect();
        let value = json!({
            "bucket": published.target.bucket,
            "files": files,
            "distributionId": published.target.distribution_id,
            "invalidationId": published.invalidation_id,
            "site": published.target.config.redirect_uri,
        });
        self.emit(&value, || {
            let mut text: String = published
                .files
                .iter()
                .map(|(key, caching)| {
                    format!(
                        "s3://{}/{key}  {}\n",
                        published.target.bucket,
                        caching.header()
                    )
                })
                .collect();
            text.push_str(&format!(
                "invalidation {} of distribution {}; the site: {}\n",
                published.invalidation_id,
                published.target.distribution_id,
                published.target.config.redirect_uri
            ));
            text
        })
    }

    pub fn destroy_plan(&self, plan: &Plan) -> anyhow::Result<()> {
        self.emit(plan, || {
            let mut text = format!("would delete stack {}\n", plan.stack);
            for bucket in &plan.emptied {
                text.push_str(&format!("would empty s3://{bucket} first\n"));
            }
            let fate = if plan.delete_data {
                "would DELETE"
            } else {
                "would keep"
            };
            for data in &plan.data {
                text.push_str(&format!("{fate} the {} {}\n", data.what, data.physical_id));
            }
            text
        })
    }

    pub fn destroyed(&self, outcome: &Outcome) -> anyhow::Result<()> {
        self.emit(outcome, || {
            let mut text = format!(
                "deleted stack {} ({} object versions removed)\n",
                outcome.plan.stack, outcome.objects_removed
            );
            for data in &outcome.deleted {
                text.push_str(&format!("deleted the {} {}\n", data.what, data.physical_id));
            }
            for data in &outcome.kept {
                text.push_str(&format!(
                    "kept the {} {} (`--delete-data --yes` deletes it)\n",
                    data.what, data.physical_id
                ));
            }
            text
        })
    }
}

/// Migration events on stderr, as they come.
pub fn migration(direction: &'static str) -> impl FnMut(Event<'_>) {
    move |event| match event {
        Event::Progress(tally) => eprintln!("{direction}: {tally}"),
        Event::Conflict { kept, source } => eprintln!(
            "{direction}: conflict: kept {}, not copied {}",
            json!(kept),
            json!(source)
        ),
        Event::Invalid { record, reason } => {
            eprintln!("{direction}: not a valid dragon ({reason}): {record}");
        }
    }
}
