//! CloudWatch log groups: one per writer, with retention.

use stratosphere::services::aws::logs;

use crate::template::{Attributes, CheckovSkip, GuardSuppression, Handle, Template, TemplateError};

/// How long every log group keeps its events.
pub const RETENTION_DAYS: i32 = 30;

const DEFAULT_ENCRYPTION: CheckovSkip = CheckovSkip {
    id: "CKV_AWS_158",
    reason: "CloudWatch Logs encrypts every log group at rest by default; a customer-managed KMS key adds cost and key policy for logs that hold no secrets.",
};

const SUPPRESSIONS: [GuardSuppression; 3] = [
    GuardSuppression {
        rule: "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        reason: DEFAULT_ENCRYPTION.reason,
    },
    GuardSuppression {
        rule: "CT.CLOUDWATCH.PR.3",
        reason: DEFAULT_ENCRYPTION.reason,
    },
    GuardSuppression {
        rule: "CT.CLOUDWATCH.PR.2",
        reason: "Kept 30 days, not a year: these are the functions', the state machine's and the API's operational logs (request ids, caller addresses), kept as long as debugging needs and no longer; the data's audit trail is the data bucket's server access log, kept 365 days.",
    },
];

/// Adds a log group with the standard retention.
pub fn add(template: &mut Template, id: &str) -> Result<Handle<logs::LogGroup_>, TemplateError> {
    template.add_with(
        id,
        logs::LogGroup! { retention_in_days: RETENTION_DAYS },
        Attributes::skipping(&[DEFAULT_ENCRYPTION]).suppress(&SUPPRESSIONS),
    )
}
