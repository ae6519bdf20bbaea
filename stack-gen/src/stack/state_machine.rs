//! The report workflow's Standard state machine: the contract's definition (validated
//! before it is written), its substitutions, role and logging.

use std::collections::BTreeMap;

use asl::StateMachine;
use dragons_contract::stack_ids::ids;
use dragons_contract::{
    names::STATE_MACHINE,
    workflow::{ADD_FUNCTION_ARN, TOPIC_ARN, VALIDATE_FUNCTION_ARN},
};
use serde_json::Value;
use stratosphere::services::aws::{lambda, logs, sns, stepfunctions};
use stratosphere::value::ExpString;

use super::StackError;
use crate::iam::{self, PolicyDocument, Service, Statement, Trust, actions};
use crate::template::{Attributes, Handle, Pseudo, Sub, Template, regional_arn};

/// The state machine and the log group of its execution events.
pub struct Workflow {
    /// The state machine.
    pub machine: Handle<stepfunctions::StateMachine_>,
    /// Its log group (ERROR-level events).
    pub log_group: Handle<logs::LogGroup_>,
}

/// Adds the state machine with its log group and role; its tasks invoke the
/// functions' `live` aliases (`Ref`: the alias's ARN).
pub fn add(
    template: &mut Template,
    definition: &StateMachine,
    validate: &Handle<lambda::Alias_>,
    add: &Handle<lambda::Alias_>,
    topic: &Handle<sns::Topic_>,
) -> Result<Workflow, StackError> {
    let log_group = super::logging::add(template, ids::STATE_MACHINE_LOG_GROUP)?;
    let name = || {
        Sub::new()
            .pseudo(Pseudo::StackName)
            .text(&format!("-{STATE_MACHINE}"))
    };
    // Step Functions documents the confused-deputy keys for the role a state machine
    // assumes; the machine's ARN is built from its name (a `GetAtt` would be a cycle).
    let machine_arn = regional_arn("states", Sub::new().text("stateMachine:").then(name()));
    let role = template.add_with(
        "StateMachineRole",
        iam::role(
            &Trust::for_source(Service::StepFunctions, machine_arn),
            "Role of the report-dragon state machine",
            "RunReportDragon",
            &PolicyDocument::new(vec![
                Statement::allow(
                    "InvokeWorkflowFunctions",
                    &[actions::LAMBDA_INVOKE_FUNCTION],
                    vec![validate.reference(), add.reference()],
                ),
                Statement::allow(
                    "PublishOutcome",
                    &[actions::SNS_PUBLISH],
                    vec![topic.reference()],
                ),
                Statement::allow_unscoped("DeliverExecutionLogs", &actions::LOG_DELIVERY),
                Statement::allow_unscoped(
                    "WriteTraces",
                    &[
                        actions::XRAY_PUT_TRACE_SEGMENTS,
                        actions::XRAY_PUT_TELEMETRY_RECORDS,
                        actions::XRAY_GET_SAMPLING_RULES,
                        actions::XRAY_GET_SAMPLING_TARGETS,
                    ],
                ),
            ]),
        ),
        Attributes::default().suppress(&[iam::INLINE_POLICY, iam::UNSCOPED_ACTIONS]),
    )?;
    let substitutions = [
        (VALIDATE_FUNCTION_ARN, validate.reference()),
        (ADD_FUNCTION_ARN, add.reference()),
        (TOPIC_ARN, topic.reference()),
    ]
    .into_iter()
    .map(|(name, value): (&str, ExpString)| Ok((name.to_owned(), serde_json::to_value(value)?)))
    .collect::<Result<BTreeMap<String, Value>, serde_json::Error>>()?;
    let machine = template.add(
        "ReportDragonStateMachine",
        stepfunctions::StateMachine! {
            definition: serde_json::to_value(definition)?,
            definition_substitutions: substitutions,
            logging_configuration: stepfunctions::statemachine::LoggingConfiguration! {
                destinations: vec![stepfunctions::statemachine::LogDestination! {
                    cloud_watch_logs_log_group: stepfunctions::statemachine::CloudWatchLogsLogGroup! {
                        log_group_arn: log_group.arn(),
                    },
                }],
                include_execution_data: false,
                level: "ERROR",
            },
            role_arn: role.arn(),
            state_machine_name: name().build(),
            state_machine_type: "STANDARD",
            tracing_configuration: stepfunctions::statemachine::TracingConfiguration! { enabled: true },
        },
    )?;
    Ok(Workflow { machine, log_group })
}
