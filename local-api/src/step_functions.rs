//! Step Functions on a laptop: the contract's report workflow, with its placeholders
//! substituted as CloudFormation would, run by the `asl` interpreter with the real
//! `validate-dragon`/`add-dragon` handlers and real SNS publishing.

use std::{collections::BTreeMap, sync::Arc};

use asl::{
    StateMachine,
    interpret::{Interpreter, TaskError, TaskRunner},
};
use aws_sdk_sns::{error::ProvideErrorMetadata, types::MessageAttributeValue};
use dragons_contract::{
    names::{STATE_MACHINE, functions},
    workflow::{
        ADD_FUNCTION_ARN, SNS_PUBLISH, TOPIC_ARN, VALIDATE_FUNCTION_ARN, definition, placeholder,
    },
};
use handlers::{aws::AnyStore, domain::validation::DragonValidator, tasks::Task};
use serde_json::{Value, json};

/// The account id local ARNs use (moto's default account).
pub const LOCAL_ACCOUNT: &str = "123456789012";

/// Why the workflow could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The definition did not survive substitution (a bug: tested).
    #[error("the substituted definition is not valid ASL: {0}")]
    Definition(#[from] serde_json::Error),
}

/// The ARN a function has locally (`arn:aws:lambda:<region>:<account>:function:<name>`).
pub fn local_function_arn(region: &str, function: &str) -> String {
    format!("arn:aws:lambda:{region}:{LOCAL_ACCOUNT}:function:{function}")
}

/// `definition` with each `${name}` replaced by its value, as CloudFormation's
/// `DefinitionSubstitutions` does.
pub fn substitute(
    definition: &StateMachine,
    values: &BTreeMap<&str, String>,
) -> Result<StateMachine, WorkflowError> {
    let mut text = serde_json::to_string(definition)?;
    for (name, value) in values {
        // The value goes inside a JSON string: encode it as one, minus the quotes.
        let encoded = serde_json::to_string(value)?;
        text = text.replace(&placeholder(name), &encoded[1..encoded.len() - 1]);
    }
    Ok(serde_json::from_str(&text)?)
}

/// Runs a Lambda task in-process, failing the way Lambda does: the error name is the
/// handler's `error_type`, the cause its JSON error payload.
#[derive(Debug, Clone)]
pub struct LambdaTask {
    task: Task,
    validator: Arc<DragonValidator>,
    store: Arc<AnyStore>,
}

#[asl::async_trait]
impl TaskRunner for LambdaTask {
    async fn run(&self, _resource: &str, input: Value) -> Result<Value, TaskError> {
        let answer = self
            .task
            .run(&self.validator, self.store.as_ref(), input)
            .await
            .map_err(|failure| {
                let payload =
                    json!({ "errorType": failure.error_type, "errorMessage": failure.message });
                TaskError::new(failure.error_type.as_str(), payload.to_string())
            })?;
        serde_json::to_value(answer)
            .map_err(|error| TaskError::new(asl::errors::TASK_FAILED, error.to_string()))
    }
}

/// `arn:aws:states:::sns:publish`: publishes the task's parameters through the SDK
/// and answers SNS's response (`{"MessageId": …}`).
#[derive(Debug, Clone)]
pub struct SnsPublish {
    sns: aws_sdk_sns::Client,
}

impl SnsPublish {
    /// Publishes with `sns`.
    pub fn new(sns: aws_sdk_sns::Client) -> Self {
        Self { sns }
    }
}

#[asl::async_trait]
impl TaskRunner for SnsPublish {
    async fn run(&self, _resource: &str, input: Value) -> Result<Value, TaskError> {
        let text = |name: &str| input.get(name).and_then(Value::as_str).map(str::to_owned);
        let mut publish = self
            .sns
            .publish()
            .set_topic_arn(text("TopicArn"))
            .set_subject(text("Subject"))
            .set_message(text("Message"));
        if let Some(attributes) = input.get("MessageAttributes").and_then(Value::as_object) {
            for (name, attribute) in attributes {
                let field = |key: &str| {
                    attribute
                        .get(key)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                let value = MessageAttributeValue::builder()
                    .set_data_type(field("DataType"))
                    .set_string_value(field("StringValue"))
                    .build()
                    .map_err(|error| {
                        TaskError::new("SNS.InvalidParameterException", error.to_string())
                    })?;
                publish = publish.message_attributes(name, value);
            }
        }
        let published = publish.send().await.map_err(|error| {
            let code = error.code().unwrap_or("SdkClientException").to_owned();
            TaskError::new(format!("SNS.{code}"), error.to_string())
        })?;
        Ok(json!({ "MessageId": published.message_id() }))
    }
}

/// What the local workflow runs against.
#[derive(Debug, Clone)]
pub struct WorkflowResources {
    /// The region the local ARNs name.
    pub region: String,
    /// The notification topic.
    pub topic_arn: String,
    /// The validator, shared with the handlers.
    pub validator: Arc<DragonValidator>,
    /// The data store the handlers read and write.
    pub store: Arc<AnyStore>,
    /// The SNS client.
    pub sns: aws_sdk_sns::Client,
}

/// The generated report workflow, ready to run locally.
pub fn report_workflow(resources: &WorkflowResources) -> Result<Interpreter, WorkflowError> {
    let validate_arn = local_function_arn(&resources.region, functions::VALIDATE_DRAGON);
    let add_arn = local_function_arn(&resources.region, functions::ADD_DRAGON);
    let values = BTreeMap::from([
        (VALIDATE_FUNCTION_ARN, validate_arn.clone()),
        (ADD_FUNCTION_ARN, add_arn.clone()),
        (TOPIC_ARN, resources.topic_arn.clone()),
    ]);
    let machine = substitute(&definition(), &values)?;
    let lambda = |task| LambdaTask {
        task,
        validator: Arc::clone(&resources.validator),
        store: Arc::clone(&resources.store),
    };
    Ok(Interpreter::new(&machine)
        .name(STATE_MACHINE)
        .runner(validate_arn, lambda(Task::Validate))
        .runner(add_arn, lambda(Task::Add))
        .runner(SNS_PUBLISH, SnsPublish::new(resources.sns.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_replaces_every_placeholder_and_escapes_values() {
        let values = BTreeMap::from([
            (VALIDATE_FUNCTION_ARN, "arn:validate".to_owned()),
            (ADD_FUNCTION_ARN, "arn:add".to_owned()),
            (TOPIC_ARN, "arn:topic\"quoted\"".to_owned()),
        ]);
        let machine = substitute(&definition(), &values).unwrap();
        let text = serde_json::to_string(&machine).unwrap();
        assert!(!text.contains("${"), "{text}");
        assert!(text.contains("\"Resource\":\"arn:validate\""));
        assert!(text.contains("\"Resource\":\"arn:add\""));
        assert!(text.contains(r#""TopicArn":"arn:topic\"quoted\"""#));
        asl::validate(&machine).unwrap();
    }
}
