//! `unknown-service-integration`: a Task `Resource` of the form `arn:<partition>:states:::…`
//! names a service integration Step Functions has: an optimized integration with its
//! integration pattern (`.sync`, `.sync:2`, `.waitForTaskToken`), or
//! `aws-sdk:<service>:<action>`. (`arn:aws:states:::dynamodb:query`, for one, is not an
//! optimized integration; the SDK integration `aws-sdk:dynamodb:query` is.)

use crate::model::{State, StateMachine, WAIT_FOR_TASK_TOKEN};
use crate::validate::{Diagnostic, Rule};

/// The optimized integrations: `service:action`.
const OPTIMIZED: &[&str] = &[
    "apigateway:invoke",
    "athena:getQueryExecution",
    "athena:getQueryResults",
    "athena:startQueryExecution",
    "athena:stopQueryExecution",
    "batch:submitJob",
    "bedrock:createModelCustomizationJob",
    "bedrock:invokeModel",
    "codebuild:batchDeleteBuilds",
    "codebuild:batchGetReports",
    "codebuild:startBuild",
    "codebuild:startBuildBatch",
    "codebuild:stopBuild",
    "codebuild:stopBuildBatch",
    "databrew:startJobRun",
    "dynamodb:deleteItem",
    "dynamodb:getItem",
    "dynamodb:putItem",
    "dynamodb:updateItem",
    "ecs:runTask",
    "eks:call",
    "eks:createCluster",
    "eks:createFargateProfile",
    "eks:createNodegroup",
    "eks:deleteCluster",
    "eks:deleteFargateProfile",
    "eks:deleteNodegroup",
    "eks:runJob",
    "elasticmapreduce:addStep",
    "elasticmapreduce:cancelStep",
    "elasticmapreduce:createCluster",
    "elasticmapreduce:modifyInstanceFleetByName",
    "elasticmapreduce:modifyInstanceGroupByName",
    "elasticmapreduce:setClusterTerminationProtection",
    "elasticmapreduce:terminateCluster",
    "emr-containers:createVirtualCluster",
    "emr-containers:deleteVirtualCluster",
    "emr-containers:startJobRun",
    "emr-serverless:cancelJobRun",
    "emr-serverless:createApplication",
    "emr-serverless:deleteApplication",
    "emr-serverless:startApplication",
    "emr-serverless:startJobRun",
    "emr-serverless:stopApplication",
    "events:putEvents",
    "glue:startJobRun",
    "http:invoke",
    "lambda:invoke",
    "mediaconvert:createJob",
    "sagemaker:createEndpoint",
    "sagemaker:createEndpointConfig",
    "sagemaker:createHyperParameterTuningJob",
    "sagemaker:createLabelingJob",
    "sagemaker:createModel",
    "sagemaker:createProcessingJob",
    "sagemaker:createTrainingJob",
    "sagemaker:createTransformJob",
    "sagemaker:updateEndpoint",
    "sns:publish",
    "sqs:sendMessage",
    "states:startExecution",
];

/// The integration patterns a resource may end with.
const PATTERNS: &[&str] = &[".sync:2", ".sync", WAIT_FOR_TASK_TOKEN];

/// Why `resource` (after `arn:<partition>:states:::`) is not an integration, if it is not.
pub(super) fn problem(integration: &str) -> Option<String> {
    if let Some(sdk) = integration.strip_prefix("aws-sdk:") {
        let sdk = PATTERNS
            .iter()
            .find_map(|p| sdk.strip_suffix(p))
            .unwrap_or(sdk);
        let valid = sdk.split_once(':').is_some_and(|(service, action)| {
            !service.is_empty()
                && !action.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && action.chars().all(|c| c.is_ascii_alphanumeric())
        });
        return (!valid).then(|| format!("`aws-sdk:{sdk}` is not `aws-sdk:<service>:<action>`"));
    }
    let base = PATTERNS
        .iter()
        .find_map(|p| integration.strip_suffix(p))
        .unwrap_or(integration);
    (!OPTIMIZED.contains(&base)).then(|| {
        format!("`{base}` is not an optimized integration (an SDK integration is `aws-sdk:<service>:<action>`)")
    })
}

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let State::Task(task) = state else {
            continue;
        };
        let Some(integration) = integration(&task.resource) else {
            continue;
        };
        if let Some(problem) = problem(integration) {
            out.push(Diagnostic::state(
                Rule::UnknownServiceIntegration,
                name,
                format!("Resource `{}`: {problem}", task.resource),
            ));
        }
    }
}

/// The part after `arn:<partition>:states:::`, when `resource` is a service integration.
pub(super) fn integration(resource: &str) -> Option<&str> {
    let rest = resource.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    rest.strip_prefix("states:::")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn service_integrations_must_exist() {
        let task = |resource: &str, next: &str| json!({"Type": "Task", "Resource": resource, "Next": next});
        let got = reported(json!({"StartAt": "A", "States": {
            "A": task("arn:aws:states:::lambda:invoke", "B"),
            "B": task("arn:aws:states:::states:startExecution.sync:2", "C"),
            "C": task("arn:aws:states:::aws-sdk:dynamodb:query", "D"),
            "D": task("arn:aws:states:::dynamodb:query", "E"),
            "E": task("arn:aws:states:::sns:publish.sync", "F"),
            "F": task("arn:aws:states:::aws-sdk:dynamodb", "G"),
            "G": task("arn:aws-cn:states:::sqs:sendMessage.waitForTaskToken", "H"),
            "H": {"Type": "Succeed"}
        }}));
        assert_eq!(
            got,
            [
                at(Rule::UnknownServiceIntegration, "D"),
                at(Rule::UnknownServiceIntegration, "F")
            ]
        );
    }
}
