//! What a reporter learns of a report: `POST /dragons` answers 202 with [`Accepted`]
//! and a `Location` of [`location`]; `GET /dragons/reports/{reportId}` answers
//! [`ReportStatus`] to the reporter only (anyone else, and any id that is not one,
//! gets the same 404). A report's id is its workflow execution's name.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// The path of the report `id`'s status, under the stage.
pub fn location(id: &str) -> String {
    format!("/{}/{REPORTS_PATH_PART}/{id}", crate::names::DRAGONS_PATH_PART)
}

/// Where a report is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Accepted {
    /// The report's id (for `GET /dragons/reports/{reportId}`).
    pub report_id: String,
    /// Always [`ReportState::Running`].
    pub status: ReportState,
}

/// `200` to `GET /dragons/reports/{reportId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportStatus {
    /// The report's id.
    pub report_id: String,
    /// Where it is.
    pub status: ReportState,
    /// Why it was rejected or failed, in words for the reporter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The dragon as reported.
    pub dragon: Value,
    /// When it was accepted (RFC 3339).
    pub submitted_at: String,
    /// When it finished (RFC 3339), once terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
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
        assert_eq!(location("r1"), "/dragons/reports/r1");
    }
}
