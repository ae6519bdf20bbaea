//! `logs`: the stack's log groups, found from its resources (each function's own
//! group, `<Function>LogGroup`, or `/aws/lambda/<function's physical id>` without one;
//! the API stage's access log group; the state machine's group), read with
//! FilterLogEvents and printed one readable line per event from their JSON: the
//! Lambdas' structured logs, Lambda's platform records, API Gateway's access log
//! lines and Step Functions' execution events.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use aws_sdk_cloudwatchlogs::{Client, error::DisplayErrorContext};
use serde::Serialize;
use serde_json::Value;

use crate::stack::{Stack, ids};

/// What to read the logs of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The list-dragons function (`GET /dragons`).
    List,
    /// A report's whole path: the workflow, validate-dragon and add-dragon.
    Report,
    /// The report-status function (`GET /dragons/reports/{id}`).
    Status,
    /// The validate-dragon function.
    Validate,
    /// The add-dragon function.
    Add,
    /// The API stage's access log.
    Api,
    /// The report workflow's state machine.
    Workflow,
}

impl Source {
    /// Every source with a group of its own (all but `Report`).
    const SINGLE: [Source; 6] = [
        Self::List,
        Self::Status,
        Self::Validate,
        Self::Add,
        Self::Api,
        Self::Workflow,
    ];

    /// The single sources `self` stands for.
    fn parts(self) -> Vec<Source> {
        match self {
            Self::Report => vec![Self::Workflow, Self::Validate, Self::Add],
            single => vec![single],
        }
    }

    /// The short label of its lines.
    pub fn label(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Report => "report",
            Self::Status => "status",
            Self::Validate => "validate",
            Self::Add => "add",
            Self::Api => "api",
            Self::Workflow => "workflow",
        }
    }

    /// The stack-gen id of its function (`ListDragons` for `ListDragonsFunction` and
    /// `ListDragonsLogGroup`), or its log group's logical id.
    fn resource(self) -> Resource {
        match self {
            Self::List => Resource::Function("ListDragons"),
            Self::Status => Resource::Function("ReportStatus"),
            Self::Validate => Resource::Function("ValidateDragon"),
            Self::Add | Self::Report => Resource::Function("AddDragon"),
            Self::Api => Resource::Group(ids::API_ACCESS_LOG_GROUP),
            Self::Workflow => Resource::Group(ids::STATE_MACHINE_LOG_GROUP),
        }
    }
}

enum Resource {
    Function(&'static str),
    Group(&'static str),
}

/// A log group of the stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogGroup {
    /// What it logs.
    pub source: Source,
    /// Its name.
    pub name: String,
}

/// Why the logs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    /// The stack has no log group for a source.
    #[error("stack {stack} has no log group for {wanted}")]
    NoGroup {
        /// The stack.
        stack: String,
        /// The source.
        wanted: &'static str,
    },
    /// FilterLogEvents failed.
    #[error("reading log group {group} failed: {message}")]
    Read {
        /// The group.
        group: String,
        /// What CloudWatch Logs said.
        message: String,
    },
}

/// The log groups of `source` (every source's when `None`).
pub fn groups(stack: &Stack, source: Option<Source>) -> Result<Vec<LogGroup>, LogsError> {
    let sources = source.map_or_else(|| Source::SINGLE.to_vec(), Source::parts);
    sources
        .into_iter()
        .map(|source| {
            let name = match source.resource() {
                Resource::Group(id) => stack.optional(id).map(str::to_owned),
                Resource::Function(id) => stack
                    .optional(&format!("{id}LogGroup"))
                    .map(str::to_owned)
                    .or_else(|| {
                        stack
                            .optional(&format!("{id}Function"))
                            .map(|function| format!("/aws/lambda/{function}"))
                    }),
            };
            name.map(|name| LogGroup { source, name })
                .ok_or_else(|| LogsError::NoGroup {
                    stack: stack.name.clone(),
                    wanted: source.label(),
                })
        })
        .collect()
}

/// One event, readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// When (milliseconds since the epoch).
    pub timestamp: i64,
    /// Its source.
    pub source: Source,
    /// The event's id (unique within its group).
    #[serde(skip)]
    pub event_id: String,
    /// The message as logged.
    pub message: String,
}

impl Line {
    /// `2026-01-01T00:00:00.000Z add INFO message key=value …`.
    pub fn readable(&self) -> String {
        format!(
            "{} {:<8} {}",
            rfc3339(self.timestamp),
            self.source.label(),
            readable(&self.message)
        )
    }
}

fn rfc3339(millis: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| millis.to_string())
}

/// The events of `groups` from `start` (milliseconds since the epoch) on, matching
/// `filter` (CloudWatch Logs' filter pattern), oldest first.
pub async fn read(
    logs: &Client,
    groups: &[LogGroup],
    start: i64,
    filter: Option<&str>,
) -> Result<Vec<Line>, LogsError> {
    let mut lines = Vec::new();
    for group in groups {
        let mut pages = logs
            .filter_log_events()
            .log_group_name(&group.name)
            .start_time(start)
            .set_filter_pattern(filter.map(str::to_owned))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                // A group no function has written to yet does not exist.
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(|e| e.is_resource_not_found_exception()) =>
                {
                    break;
                }
                Err(error) => {
                    return Err(LogsError::Read {
                        group: group.name.clone(),
                        message: DisplayErrorContext(&error).to_string(),
                    });
                }
            };
            lines.extend(page.events().iter().map(|event| Line {
                timestamp: event.timestamp().unwrap_or_default(),
                source: group.source,
                event_id: event.event_id().unwrap_or_default().to_owned(),
                message: event.message().unwrap_or_default().trim_end().to_owned(),
            }));
        }
    }
    lines.sort_by_key(|line| line.timestamp);
    Ok(lines)
}

/// Reads as [`read`] does, then again every `interval` for what came since, handing
/// each new line to `emit`, until `emit` answers `false`.
pub async fn follow(
    logs: &Client,
    groups: &[LogGroup],
    mut start: i64,
    filter: Option<&str>,
    interval: Duration,
    emit: &mut dyn FnMut(&Line) -> bool,
) -> Result<(), LogsError> {
    let mut seen: HashSet<String> = HashSet::new();
    loop {
        let lines = read(logs, groups, start, filter).await?;
        for line in &lines {
            if seen.insert(line.event_id.clone()) && !emit(line) {
                return Ok(());
            }
        }
        if let Some(last) = lines.last() {
            // Events of the last millisecond may still arrive: read it again, and
            // forget the ids of older ones.
            start = last.timestamp;
            seen.retain(|id| {
                lines
                    .iter()
                    .any(|l| &l.event_id == id && l.timestamp == start)
            });
        }
        tokio::time::sleep(interval).await;
    }
}

/// One readable line of a logged message: the known JSON shapes by their fields, any
/// other JSON object as `key=value` pairs, anything else as it is.
pub fn readable(message: &str) -> String {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(message) else {
        return message.replace('\n', " ");
    };
    let text = |key: &str| fields.get(key).map(plain).unwrap_or_default();
    // Lambda's platform records: {"time", "type": "platform.report", "record": {…}}.
    if let (Some(kind), Some(record)) = (fields.get("type"), fields.get("record")) {
        return format!("{} {}", plain(kind), pairs(record));
    }
    // Step Functions' execution events: {"type", "execution_arn", "details", …}.
    if let (Some(kind), Some(arn)) = (fields.get("type"), fields.get("execution_arn")) {
        let execution = plain(arn).rsplit(':').next().unwrap_or_default().to_owned();
        return format!(
            "{} {execution} {}",
            plain(kind),
            fields.get("details").map(pairs).unwrap_or_default()
        )
        .trim_end()
        .to_owned();
    }
    // API Gateway's access log (the template's format).
    if fields.contains_key("httpMethod") && fields.contains_key("status") {
        let error = text("integrationError");
        return format!(
            "{} {} {} caller={} request={}{}",
            text("status"),
            text("httpMethod"),
            text("resourcePath"),
            text("caller"),
            text("requestId"),
            if error.is_empty() || error == "-" {
                String::new()
            } else {
                format!(" error={error}")
            }
        );
    }
    // The Lambdas' structured logs (tracing's JSON, flattened): level, message, fields.
    let level = text("level");
    let message = text("message");
    let rest: BTreeMap<&String, &Value> = fields
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "level" | "message" | "timestamp"))
        .collect();
    let rest = rest
        .iter()
        .map(|(key, value)| format!("{key}={}", plain(value)))
        .collect::<Vec<_>>()
        .join(" ");
    [level.as_str(), message.as_str(), rest.as_str()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A JSON value as text: strings without quotes (newlines as spaces), the rest as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.replace('\n', " "),
        other => other.to_string(),
    }
}

/// An object's fields as `key=value` pairs.
fn pairs(value: &Value) -> String {
    match value {
        Value::Object(fields) => fields
            .iter()
            .map(|(key, value)| format!("{key}={}", plain(value)))
            .collect::<Vec<_>>()
            .join(" "),
        other => plain(other),
    }
}

/// Milliseconds since the epoch, `ago` before now.
pub fn since(ago: Duration) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.saturating_sub(ago).as_millis()).unwrap_or(i64::MAX)
}

/// Parses `30s`, `15m`, `2h`, `1d` (a number and one unit).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("`{text}`: give a unit (s, m, h, d)"))?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}`: a number, then s, m, h or d"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => return Err(format!("`{other}` is not a unit (s, m, h, d)")),
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shape_of_json_log_reads_on_one_line() {
        assert_eq!(
            readable(r#"{"level":"INFO","message":"added","report":"r1","bytes":12}"#),
            "INFO added bytes=12 report=r1"
        );
        assert_eq!(
            readable(
                r#"{"requestId":"q1","ip":"1.2.3.4","caller":"s1","httpMethod":"POST","resourcePath":"/dragons","status":"202","integrationError":"-"}"#
            ),
            "202 POST /dragons caller=s1 request=q1"
        );
        assert_eq!(
            readable(
                r#"{"type":"ExecutionFailed","execution_arn":"arn:aws:states:us-east-1:1:execution:m:r9","details":{"error":"X"}}"#
            ),
            "ExecutionFailed r9 error=X"
        );
        assert_eq!(
            readable(r#"{"time":"t","type":"platform.report","record":{"requestId":"a"}}"#),
            "platform.report requestId=a"
        );
        assert_eq!(readable("START RequestId: x\n"), "START RequestId: x ");
    }

    #[test]
    fn durations_take_one_unit() {
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert!(parse_duration("15").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("1w").is_err());
    }
}
