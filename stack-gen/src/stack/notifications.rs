//! The SNS topic that tells subscribers whether a reported dragon was added, and the
//! optional e-mail subscription.

use stratosphere::services::aws::sns;

use super::Parameters;
use crate::template::{Attributes, Handle, Template, TemplateError};

/// The AWS-managed SNS key: encryption at rest without a key to manage.
pub const TOPIC_KEY: &str = "alias/aws/sns";

/// Adds the encrypted topic and, under `HasNotificationEmail`, the e-mail subscription.
pub fn add(
    template: &mut Template,
    parameters: &Parameters,
) -> Result<Handle<sns::Topic_>, TemplateError> {
    let topic = template.add(
        "DragonReportsTopic",
        sns::Topic! {
            display_name: "Dragon reports",
            kms_master_key_id: TOPIC_KEY,
        },
    )?;
    template.add_with(
        "NotificationEmailSubscription",
        sns::Subscription! {
            endpoint: parameters.notices.notification_email.reference(),
            protocol: "email",
            topic_arn: topic.reference(),
        },
        Attributes::default().when(&parameters.notices.has_notification_email),
    )?;
    Ok(topic)
}
