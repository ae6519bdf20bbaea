//! What a reporter learns of a report: `POST /dragons` answers 202 with [`Accepted`]
//! and a `Location` of [`location`]; `GET /dragons/reports/{reportId}` answers
//! [`ReportStatus`] to the reporter only (anyone else, and any id that is not one,
//! gets the same 404). A report's id is its workflow execution's name; [`view`] reads
//! the status from the [`Execution`] as Step Functions describes it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Dragon, Report, TaskAnswer, workflow::ending};

/// The path part under `/dragons` that holds the reports.
pub const REPORTS_PATH_PART: &str = "reports";

/// The path parameter naming a report.
pub const REPORT_ID_PARAMETER: &str = "reportId";

/// The longest report id: Step Functions' limit on an execution name.
pub const MAX_REPORT_ID_CHARS: usize = 80;

/// Whether `id` can be a report id: 1 to 80 of `A–Z a–z 0–9 - _` (what the API makes
/// of API Gateway's extended request id, and what local-api makes). Within Step
/// Functions' execution name rules, safe in a URL path and in a JSON string.
pub fn is_report_id(id: &str) -> bool {
    (1..=MAX_REPORT_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// The `Location` of the report `id` accepted by a `POST` to `request_path`: API
/// Gateway's `$context.path` (the path as the client sent it: the stage, or a custom
/// domain's base path, included), then `/reports/{id}`. A relative reference: it
/// resolves against the URL the client posted to, on the execute-api host, through
/// CloudFront's `/{stage}/*` behaviour and on a custom domain alike. The template's
/// mapping writes it with `$context.path` and `$reportId`.
pub fn location(request_path: &str, id: &str) -> String {
    format!("{request_path}/{REPORTS_PATH_PART}/{id}")
}

/// Where a report is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportState {
    /// The workflow is still running.
    Running,
    /// The dragon was added.
    Added,
    /// The report broke a rule (a field, or a name already taken): `reason` says which.
    Rejected,
    /// The workflow could not finish (a store or a notification kept failing).
    Failed,
}

impl ReportState {
    /// Whether the report is done (nothing will change any more).
    pub fn is_terminal(self) -> bool {
        self != Self::Running
    }
}

/// `202` to `POST /dragons`: the report was accepted and runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Accepted {
    /// The report's id (for `GET /dragons/reports/{reportId}`).
    pub report_id: String,
    /// Always [`ReportState::Running`].
    pub status: ReportState,
}

/// `200` to `GET /dragons/reports/{reportId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportStatus {
    /// The report's id.
    pub report_id: String,
    /// Where it is.
    pub status: ReportState,
    /// Why it was rejected or failed, in words for the reporter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The dragon as reported (it passed the request model).
    #[schemars(with = "Dragon")]
    pub dragon: Value,
    /// When it was accepted (RFC 3339).
    pub submitted_at: String,
    /// When it finished (RFC 3339), once terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

/// What the reporter is told of a report that could not be processed (details are
/// for the operator's logs).
pub const FAILED_REASON: &str = "The report could not be processed; please report it again later.";

/// Why an execution could not be read.
#[derive(Debug, thiserror::Error)]
#[error("reading the execution failed")]
pub struct ReadError {
    /// Whether trying again later may help (throttling, unreachable, 5xx).
    pub transient: bool,
    /// What went wrong.
    #[source]
    pub cause: Box<dyn std::error::Error + Send + Sync>,
}

/// The report workflow's executions, by report id (the execution's name): what the
/// status route reads (Step Functions' `DescribeExecution` deployed, local-api's
/// runs on a laptop).
pub trait ExecutionReader {
    /// The execution `report_id` names, if there is one.
    fn describe(
        &self,
        report_id: &str,
    ) -> impl Future<Output = Result<Option<Execution>, ReadError>> + Send;
}

/// An execution's status, as Step Functions names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// `RUNNING`.
    Running,
    /// `PENDING_REDRIVE`: failed, and may be redriven.
    PendingRedrive,
    /// `SUCCEEDED`.
    Succeeded,
    /// `FAILED`.
    Failed,
    /// `TIMED_OUT`.
    TimedOut,
    /// `ABORTED`.
    Aborted,
}

/// An execution of the report workflow, as `DescribeExecution` tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    /// Its status.
    pub status: ExecutionStatus,
    /// Its input: a [`Report`] as JSON text.
    pub input: String,
    /// Its output (JSON text), when it succeeded: the last task's [`TaskAnswer`].
    pub output: Option<String>,
    /// The Fail state's error, when it failed.
    pub error: Option<String>,
    /// The Fail state's cause, when it failed.
    pub cause: Option<String>,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it stopped (RFC 3339), once it has.
    pub stopped_at: Option<String>,
}

/// What the caller whose `sub` is `caller` may learn of the report `id` run as
/// `execution`: `None` unless the caller reported it (the same "not found" as an id
/// that names nothing, so nobody learns which ids exist).
pub fn view(id: &str, execution: &Execution, caller: &str) -> Option<ReportStatus> {
    let report: Report = serde_json::from_str(&execution.input).ok()?;
    if report.reporter.sub != caller || caller.is_empty() {
        return None;
    }
    let failed = || (ReportState::Failed, Some(FAILED_REASON.to_owned()));
    let (status, reason) = match execution.status {
        ExecutionStatus::Running => (ReportState::Running, None),
        // A rejection ends in a Succeed state too: its output says so.
        ExecutionStatus::Succeeded => match execution
            .output
            .as_deref()
            .and_then(|output| serde_json::from_str::<TaskAnswer>(output).ok())
        {
            Some(TaskAnswer::Rejected { reason }) => (
                ReportState::Rejected,
                Some(if reason.is_empty() {
                    "The report broke a rule.".to_owned()
                } else {
                    reason
                }),
            ),
            _ => (ReportState::Added, None),
        },
        ExecutionStatus::Failed | ExecutionStatus::PendingRedrive => {
            match execution.error.as_deref() {
                Some(ending::ADDED_UNANNOUNCED) => (ReportState::Added, None),
                _ => failed(),
            }
        }
        ExecutionStatus::TimedOut | ExecutionStatus::Aborted => failed(),
    };
    let running = status == ReportState::Running;
    Some(ReportStatus {
        report_id: id.to_owned(),
        status,
        reason,
        dragon: report.dragon,
        submitted_at: execution.started_at.clone(),
        finished_at: if running {
            None
        } else {
            execution.stopped_at.clone()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_are_short_url_safe_words() {
        for good in ["a", "Uvj8IE6dIAMFpjQ", "x-_9", &"a".repeat(80)] {
            assert!(is_report_id(good), "{good}");
        }
        for bad in [
            "",
            &"a".repeat(81),
            "a/b",
            "a+b=",
            "a b",
            "a\"b",
            "ä",
            "../x",
            "a%2Fb",
            "a\nb",
        ] {
            assert!(!is_report_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn states_and_answers_have_the_documented_json() {
        assert_eq!(
            serde_json::to_value(Accepted {
                report_id: "r1".into(),
                status: ReportState::Running
            })
            .unwrap(),
            serde_json::json!({"reportId": "r1", "status": "RUNNING"})
        );
        let status = ReportStatus {
            report_id: "r1".into(),
            status: ReportState::Rejected,
            reason: Some("taken".into()),
            dragon: serde_json::json!({"dragon_name_str": "A"}),
            submitted_at: "2026-12-01T00:00:00Z".into(),
            finished_at: None,
        };
        assert_eq!(
            serde_json::to_value(&status).unwrap(),
            serde_json::json!({"reportId": "r1", "status": "REJECTED", "reason": "taken",
                "dragon": {"dragon_name_str": "A"}, "submittedAt": "2026-12-01T00:00:00Z"})
        );
        assert!(!ReportState::Running.is_terminal());
        assert!(ReportState::Failed.is_terminal());
        assert_eq!(location("/v1/dragons", "r1"), "/v1/dragons/reports/r1");
    }

    fn execution(status: ExecutionStatus, error: Option<&str>, cause: Option<&str>) -> Execution {
        Execution {
            output: (status == ExecutionStatus::Succeeded).then(|| {
                serde_json::json!({"status": "ADDED", "added": "Quill", "attempts": 1, "replayed": false})
                    .to_string()
            }),
            status,
            input: serde_json::json!({
                "dragon": {"dragon_name_str": "Quill"},
                "reporter": {"sub": "sub-1", "username": "alice"},
            })
            .to_string(),
            error: error.map(str::to_owned),
            cause: cause.map(str::to_owned),
            started_at: "2026-12-01T10:00:00Z".into(),
            stopped_at: (status != ExecutionStatus::Running).then(|| "2026-12-01T10:00:02Z".into()),
        }
    }

    /// A run that ended in the rejected Succeed state.
    fn rejected(reason: &str) -> Execution {
        let mut run = execution(ExecutionStatus::Succeeded, None, None);
        run.output = Some(serde_json::to_string(&TaskAnswer::rejected(reason)).unwrap());
        run
    }

    #[test]
    fn each_ending_reads_as_its_state_for_the_reporter_only() {
        use ExecutionStatus::*;
        let cases = [
            (execution(Running, None, None), ReportState::Running, None),
            (execution(Succeeded, None, None), ReportState::Added, None),
            (
                execution(Failed, Some(ending::ADDED_UNANNOUNCED), Some("x")),
                ReportState::Added,
                None,
            ),
            (
                rejected("the name Quill is taken"),
                ReportState::Rejected,
                Some("the name Quill is taken"),
            ),
            (
                rejected(""),
                ReportState::Rejected,
                Some("The report broke a rule."),
            ),
            (
                execution(Failed, Some(ending::FAILED), Some("internal details")),
                ReportState::Failed,
                Some(FAILED_REASON),
            ),
            (
                execution(Failed, Some("States.Runtime"), Some("internal details")),
                ReportState::Failed,
                Some(FAILED_REASON),
            ),
            (
                execution(TimedOut, None, None),
                ReportState::Failed,
                Some(FAILED_REASON),
            ),
            (
                execution(Aborted, None, None),
                ReportState::Failed,
                Some(FAILED_REASON),
            ),
        ];
        for (execution, state, reason) in cases {
            let seen = view("r1", &execution, "sub-1").unwrap();
            assert_eq!(seen.status, state, "{execution:?}");
            assert_eq!(seen.reason.as_deref(), reason, "{execution:?}");
            assert_eq!(seen.dragon["dragon_name_str"], "Quill");
            assert_eq!(seen.submitted_at, "2026-12-01T10:00:00Z");
            assert_eq!(seen.finished_at.is_some(), state.is_terminal());
            assert_eq!(view("r1", &execution, "sub-2"), None, "another user");
            assert_eq!(view("r1", &execution, ""), None, "no user");
        }
        let mut broken = execution(Running, None, None);
        broken.input = "not json".into();
        assert_eq!(view("r1", &broken, "sub-1"), None);
    }
}
