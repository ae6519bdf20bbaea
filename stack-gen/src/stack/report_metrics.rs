//! Metrics counted from the report workflow's logs (CloudWatch Logs metric filters),
//! in a namespace of the stack's own: reports whose dragon was added but not
//! announced (`DragonAddedUnannounced`, the operator's alarm).

use dragons_contract::workflow::ending;
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
    /// Executions that ended `DragonAddedUnannounced`.
    pub added_unannounced: LogMetric,
}

/// The namespace of the stack's own metrics: one per stack, so that two stacks in
/// one account and Region never add to each other's counts.
pub fn namespace() -> ExpString {
    Sub::new()
        .text("Dragons/")
        .pseudo(Pseudo::StackName)
        .build()
}

/// The metric `ReportsAddedUnannounced`.
pub const ADDED_UNANNOUNCED: &str = "ReportsAddedUnannounced";

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

/// Adds the filters on the state machine's log group (`machine_logs`), which holds
/// its ERROR-level events: an `ExecutionFailed` event carries the Fail state's error.
pub fn add(
    template: &mut Template,
    machine_logs: &Handle<logs::LogGroup_>,
) -> Result<ReportMetrics, TemplateError> {
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
    Ok(ReportMetrics { added_unannounced })
}
