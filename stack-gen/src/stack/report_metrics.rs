//! Metrics counted from the report workflow's logs (CloudWatch Logs metric filters),
//! in a namespace of the stack's own: reports by outcome (added and rejected, from the
//! tasks' `report_outcome` log field; failed, from the state machine's failed, timed-out
//! and aborted executions), and reports whose dragon was added but not announced
//! (`DragonAddedUnannounced`, the operator's alarm).

use dragons_contract::{
    task_answer::{LoggedOutcome, OUTCOME_LOG_FIELD},
    workflow::ending,
};
use stratosphere::services::aws::logs;
use stratosphere::value::ExpString;

use crate::template::{Handle, Pseudo, Sub, Template, TemplateError};

/// A metric a metric filter of this stack writes.
#[derive(Debug, Clone)]
pub struct LogMetric {
    /// Its namespace: `Dragons/<stack name>`.
    pub namespace: ExpString,
    /// Its name.
    pub name: &'static str,
}

/// The metrics the filters write.
pub struct ReportMetrics {
    /// Dragons added.
    pub added: LogMetric,
    /// Reports rejected.
    pub rejected: LogMetric,
    /// Reports that could not be processed.
    pub failed: LogMetric,
    /// Executions that ended `DragonAddedUnannounced`.
    pub added_unannounced: LogMetric,
}

/// The namespace of the stack's own metrics: one per stack, so that two stacks in
/// one account and Region never add to each other's counts.
pub fn namespace() -> ExpString {
    namespace_pattern().build()
}

/// [`namespace`] as a pattern to build on (the dashboard's body).
pub fn namespace_pattern() -> Sub {
    Sub::new().text("Dragons/").pseudo(Pseudo::StackName)
}

/// The metric `ReportsAddedUnannounced`.
pub const ADDED_UNANNOUNCED: &str = "ReportsAddedUnannounced";
/// The metric `ReportsAdded`.
pub const ADDED: &str = "ReportsAdded";
/// The metric `ReportsRejected`.
pub const REJECTED: &str = "ReportsRejected";
/// The metric `ReportsFailed`.
pub const FAILED: &str = "ReportsFailed";

/// The pattern of a task's log event with `outcome`.
fn outcome_pattern(outcome: LoggedOutcome) -> String {
    format!("{{ $.{OUTCOME_LOG_FIELD} = \"{}\" }}", outcome.as_str())
}

/// Adds a filter on `log_group` counting the events `pattern` matches as `name`.
fn count(
    template: &mut Template,
    id: &str,
    log_group: &Handle<logs::LogGroup_>,
    pattern: &str,
    name: &'static str,
) -> Result<LogMetric, TemplateError> {
    let metric = LogMetric {
        namespace: namespace(),
        name,
    };
    template.add(
        id,
        logs::MetricFilter! {
            filter_pattern: pattern,
            log_group_name: log_group.reference(),
            metric_transformations: vec![logs::metricfilter::MetricTransformation! {
                default_value: 0.0,
                metric_name: name,
                metric_namespace: metric.namespace.clone(),
                metric_value: "1",
                unit: "Count",
            }],
        },
    )?;
    Ok(metric)
}

/// The log groups the filters read.
pub struct Sources<'a> {
    /// The state machine's: its ERROR-level events (an `ExecutionFailed` event carries
    /// the Fail state's error).
    pub machine: &'a Handle<logs::LogGroup_>,
    /// ValidateDragon's (its rejections).
    pub validate: &'a Handle<logs::LogGroup_>,
    /// AddDragon's (its adds and rejections).
    pub add: &'a Handle<logs::LogGroup_>,
}

/// Adds the filters.
pub fn add(template: &mut Template, sources: &Sources) -> Result<ReportMetrics, TemplateError> {
    let machine_logs = sources.machine;
    let added = count(
        template,
        "ReportsAddedMetricFilter",
        sources.add,
        &outcome_pattern(LoggedOutcome::Added),
        ADDED,
    )?;
    let rejected = count(
        template,
        "ValidateRejectedMetricFilter",
        sources.validate,
        &outcome_pattern(LoggedOutcome::Rejected),
        REJECTED,
    )?;
    count(
        template,
        "AddRejectedMetricFilter",
        sources.add,
        &outcome_pattern(LoggedOutcome::Rejected),
        REJECTED,
    )?;
    // A dragon added unannounced is added (counted above), not failed.
    let failed = count(
        template,
        "ReportsFailedMetricFilter",
        machine_logs,
        &format!(
            "{{ (($.type = \"ExecutionFailed\") && ($.details.error != \"{}\")) || ($.type = \"ExecutionTimedOut\") || ($.type = \"ExecutionAborted\") }}",
            ending::ADDED_UNANNOUNCED
        ),
        FAILED,
    )?;
    let added_unannounced = count(
        template,
        "AddedUnannouncedMetricFilter",
        machine_logs,
        &format!(
            "{{ ($.type = \"ExecutionFailed\") && ($.details.error = \"{}\") }}",
            ending::ADDED_UNANNOUNCED
        ),
        ADDED_UNANNOUNCED,
    )?;
    Ok(ReportMetrics {
        added,
        rejected,
        failed,
        added_unannounced,
    })
}
