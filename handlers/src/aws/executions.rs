//! `SfnExecutions`: the report workflow's executions, read with `DescribeExecution` on
//! the one state machine the Lambda is told of (`DRAGONS_STATE_MACHINE_ARN`).

use aws_sdk_sfn::{
    Client,
    error::SdkError,
    operation::describe_execution::{DescribeExecutionError, DescribeExecutionOutput},
    types::ExecutionStatus as SfnStatus,
};
use aws_smithy_types::date_time::Format;
use dragons_contract::{
    names::ENV_STATE_MACHINE_ARN,
    report_status::{Execution, ExecutionReader, ExecutionStatus, ReadError},
};

use super::sdk_error::is_transient;

/// The state machine's ARN is missing or is not a state machine's.
#[derive(Debug, thiserror::Error)]
#[error("{ENV_STATE_MACHINE_ARN} must hold a state machine ARN (…:stateMachine:<name>), not `{0}`")]
pub struct NotAStateMachine(String);

/// The executions of one state machine.
#[derive(Debug, Clone)]
pub struct SfnExecutions {
    client: Client,
    /// `arn:<partition>:states:<region>:<account>:execution:<machine>:`, to which a
    /// report id is appended.
    execution_prefix: String,
}

impl SfnExecutions {
    /// The executions of the state machine `machine_arn`.
    pub fn new(client: Client, machine_arn: &str) -> Result<Self, NotAStateMachine> {
        let (head, name) = machine_arn
            .split_once(":stateMachine:")
            .filter(|(head, name)| {
                head.starts_with("arn:") && !name.is_empty() && !name.contains(':')
            })
            .ok_or_else(|| NotAStateMachine(machine_arn.to_owned()))?;
        Ok(Self {
            client,
            execution_prefix: format!("{head}:execution:{name}:"),
        })
    }

    /// The executions of the state machine `DRAGONS_STATE_MACHINE_ARN` names.
    pub fn from_env(client: Client) -> Result<Self, NotAStateMachine> {
        Self::new(
            client,
            &std::env::var(ENV_STATE_MACHINE_ARN).unwrap_or_default(),
        )
    }

    /// The ARN of the execution named `id`.
    pub fn execution_arn(&self, id: &str) -> String {
        format!("{}{id}", self.execution_prefix)
    }
}

fn status(status: &SfnStatus) -> ExecutionStatus {
    match status {
        SfnStatus::Running => ExecutionStatus::Running,
        SfnStatus::PendingRedrive => ExecutionStatus::PendingRedrive,
        SfnStatus::Succeeded => ExecutionStatus::Succeeded,
        SfnStatus::TimedOut => ExecutionStatus::TimedOut,
        SfnStatus::Aborted => ExecutionStatus::Aborted,
        // FAILED, and any status a newer service may add: not a success.
        _ => ExecutionStatus::Failed,
    }
}

fn rfc3339(time: &aws_smithy_types::DateTime) -> String {
    time.fmt(Format::DateTime).unwrap_or_default()
}

/// The execution as the contract reads it.
pub fn execution(described: &DescribeExecutionOutput) -> Execution {
    Execution {
        status: status(described.status()),
        input: described.input().unwrap_or_default().to_owned(),
        output: described.output().map(str::to_owned),
        error: described.error().map(str::to_owned),
        cause: described.cause().map(str::to_owned),
        started_at: rfc3339(described.start_date()),
        stopped_at: described.stop_date().map(rfc3339),
    }
}

impl ExecutionReader for SfnExecutions {
    async fn describe(&self, report_id: &str) -> Result<Option<Execution>, ReadError> {
        let answer = self
            .client
            .describe_execution()
            .execution_arn(self.execution_arn(report_id))
            .send()
            .await;
        match answer {
            Ok(described) => Ok(Some(execution(&described))),
            Err(SdkError::ServiceError(service))
                if matches!(
                    service.err(),
                    DescribeExecutionError::ExecutionDoesNotExist(_)
                        | DescribeExecutionError::InvalidArn(_)
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(ReadError {
                transient: is_transient(&error),
                cause: Box::new(error),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        let config = aws_sdk_sfn::Config::builder()
            .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
            .build();
        Client::from_conf(config)
    }

    #[test]
    fn execution_arns_come_from_the_machine_arn() {
        let executions = SfnExecutions::new(
            client(),
            "arn:aws:states:eu-west-1:123456789012:stateMachine:dragons-report-dragon",
        )
        .unwrap();
        assert_eq!(
            executions.execution_arn("QlRqNndG"),
            "arn:aws:states:eu-west-1:123456789012:execution:dragons-report-dragon:QlRqNndG"
        );
        for bad in [
            "",
            "dragons-report-dragon",
            "arn:aws:states:eu-west-1:123456789012:execution:m:e",
            "arn:aws:states:eu-west-1:123456789012:stateMachine:",
            "arn:aws:states:eu-west-1:123456789012:stateMachine:m:v1",
        ] {
            assert!(SfnExecutions::new(client(), bad).is_err(), "{bad}");
        }
    }
}
