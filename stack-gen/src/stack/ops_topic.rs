//! The operator's SNS topic, which every alarm notifies: encrypted with a
//! customer-managed KMS key (rotated yearly) whose policy lets CloudWatch publish to
//! it, and, under `HasOpsEmail`, an e-mail subscription.

use stratosphere::services::aws::{kms, sns};

use super::Parameters;
use crate::iam::{PolicyDocument, Service, Statement, actions};
use crate::template::{Attributes, Handle, Template, TemplateError};

/// Adds the key, the topic and the optional subscription; answers the topic.
pub fn add(
    template: &mut Template,
    parameters: &Parameters,
) -> Result<Handle<sns::Topic_>, TemplateError> {
    // A topic encrypted with the AWS-managed key cannot take CloudWatch's alarm
    // actions: only a key whose policy names CloudWatch lets it encrypt the message.
    let key = template.add(
        "OpsTopicKey",
        kms::Key! {
            description: "Encrypts the ops topic that the stack's CloudWatch alarms notify",
            enable_key_rotation: true,
            key_policy: PolicyDocument::new(vec![
                Statement::allow_account("ManagedByTheAccount", &[actions::KMS_ALL]),
                Statement::allow_unscoped(
                    "AlarmsPublish",
                    &[actions::KMS_DECRYPT, actions::KMS_GENERATE_DATA_KEY],
                )
                .for_service(Service::CloudWatch),
                Statement::deny_grants_but_for_aws_services(),
            ])
            .to_value(),
        },
    )?;
    let topic = template.add(
        "OpsTopic",
        sns::Topic! {
            display_name: "Dragons alarms",
            kms_master_key_id: key.arn(),
        },
    )?;
    template.add_with(
        "OpsEmailSubscription",
        sns::Subscription! {
            endpoint: parameters.notices.ops_email.reference(),
            protocol: "email",
            topic_arn: topic.reference(),
        },
        Attributes::default().when(&parameters.notices.has_ops_email),
    )?;
    Ok(topic)
}
