//! The Lambda functions, each with its own log group and least-privilege role: the
//! three that read or write the dragons (their data statements per store), and the
//! report-status one, which reads the report workflow's executions only.

use std::collections::BTreeMap;

use dragons_contract::{
    data_store,
    names::{self, NAMES_INDEX_SUFFIX, functions},
};
use serde_json::json;
use stratosphere::services::aws::{lambda, logs, stepfunctions};
use stratosphere::value::ExpString;

use super::delivery::{self, Published};
use super::{Parameters, Storage, Table};
use crate::iam::{self, Action, PolicyDocument, Service, Statement, Trust, actions};
use crate::template::{
    Attributes, CheckovSkip, GuardSuppression, Handle, Sub, Template, TemplateError, regional_arn,
};

/// Where `cargo lambda build --output-format zip` leaves a function's zip, relative to
/// the template (`cfn-out/`), as `aws cloudformation package` resolves it.
pub fn code_path(binary: &str) -> String {
    format!("../target/lambda/{binary}/bootstrap.zip")
}

/// The functions the state machine and the list route call, each behind its alias.
pub struct Functions {
    /// `GET /dragons`.
    pub list: Published,
    /// The workflow's ValidateDragon task.
    pub validate: Published,
    /// The workflow's AddDragon task.
    pub add: Published,
    /// ValidateDragon's log group (its rejections are counted from it).
    pub validate_logs: Handle<logs::LogGroup_>,
    /// AddDragon's log group (its adds and rejections are counted from it).
    pub add_logs: Handle<logs::LogGroup_>,
}

struct Spec {
    id: &'static str,
    binary: &'static str,
    description: &'static str,
    timeout_seconds: i32,
    /// What it does to the data object (its versions included).
    data_actions: &'static [Action],
    /// What it does to the data object's names index (`<data key>.names/*`: the name
    /// markers and the shards of the loaded names).
    names_actions: &'static [Action],
    /// What it lists of the bucket, only ever the data object's own key (and its
    /// names index, when it reads that).
    list_actions: &'static [Action],
    /// What it does to the DynamoDB table (a stack on DynamoDB).
    table_actions: &'static [Action],
    /// What it does to the table's family index.
    index_actions: &'static [Action],
    query_engine: bool,
}

const SPECS: [Spec; 3] = [
    Spec {
        id: "ListDragons",
        binary: functions::LIST_DRAGONS,
        description: "GET /dragons: queries the dragon data (S3 Select or scan), a page at a time.",
        timeout_seconds: 15,
        data_actions: &[actions::S3_GET_OBJECT, actions::S3_GET_OBJECT_VERSION],
        names_actions: &[],
        list_actions: &[actions::S3_LIST_BUCKET],
        table_actions: &[actions::DYNAMODB_GET_ITEM, actions::DYNAMODB_SCAN],
        index_actions: &[actions::DYNAMODB_QUERY],
        query_engine: true,
    },
    Spec {
        id: "ValidateDragon",
        binary: functions::VALIDATE_DRAGON,
        description: "Report workflow: validates a reported dragon and checks its name is free.",
        timeout_seconds: 30,
        data_actions: &[actions::S3_GET_OBJECT],
        names_actions: &[actions::S3_GET_OBJECT],
        list_actions: &[actions::S3_LIST_BUCKET],
        table_actions: &[actions::DYNAMODB_GET_ITEM],
        index_actions: &[],
        query_engine: false,
    },
    Spec {
        id: "AddDragon",
        binary: functions::ADD_DRAGON,
        description: "Report workflow: adds a dragon with a conditional append (server-side past 5 MiB).",
        timeout_seconds: 60,
        // PutObject covers the multipart upload's calls (UploadPartCopy also needs
        // GetObject on its source, the object itself); aborting one is its own action.
        data_actions: &[
            actions::S3_GET_OBJECT,
            actions::S3_PUT_OBJECT,
            actions::S3_ABORT_MULTIPART_UPLOAD,
        ],
        names_actions: &[actions::S3_GET_OBJECT, actions::S3_PUT_OBJECT],
        list_actions: &[actions::S3_LIST_BUCKET],
        table_actions: &[actions::DYNAMODB_PUT_ITEM],
        index_actions: &[],
        query_engine: false,
    },
];

const SKIPS: [CheckovSkip; 4] = [
    CheckovSkip {
        id: "CKV_AWS_115",
        reason: "Reserved concurrency would take from the account's unreserved pool (10 on new accounts, which then cannot deploy); API Gateway stage throttling bounds the load instead.",
    },
    CheckovSkip {
        id: "CKV_AWS_116",
        reason: "Invoked synchronously (API Gateway proxy, Step Functions task): the caller sees and retries every error, so there are no async events for a dead-letter queue.",
    },
    CheckovSkip {
        id: "CKV_AWS_117",
        reason: "Reaches only public AWS APIs (SSM, S3); no VPC resources, and a VPC would need NAT or endpoints for no isolation gain.",
    },
    CheckovSkip {
        id: "CKV_AWS_173",
        reason: "The environment holds only parameter names and the query engine, no secrets; the default AWS-managed key encrypts it at rest.",
    },
];

/// The Guard rules (the registry's and Control Tower's) on functions that do not
/// fit, for the reasons of the checkov skips.
const GUARD_SUPPRESSIONS: [GuardSuppression; 4] = [
    GuardSuppression {
        rule: "LAMBDA_CONCURRENCY_CHECK",
        reason: SKIPS[0].reason,
    },
    GuardSuppression {
        rule: "LAMBDA_DLQ_CHECK",
        reason: SKIPS[1].reason,
    },
    GuardSuppression {
        rule: "LAMBDA_INSIDE_VPC",
        reason: SKIPS[2].reason,
    },
    GuardSuppression {
        rule: "CT.LAMBDA.PR.3",
        reason: SKIPS[2].reason,
    },
];

/// What a data function may do to the data, on either store.
fn data_statements(
    spec: &Spec,
    parameters: &Parameters,
    storage: &Storage,
    table: &Table,
) -> Vec<Statement> {
    // Listing the data key makes S3 answer a missing object with 404 rather than 403
    // (AccessDenied), so "no object yet" can be told from "no access" (S3 checks
    // s3:ListBucket with the requested key as `s3:prefix`); likewise a name without a
    // marker under the names index.
    let data_key_only =
        json!({ "StringEquals": { "s3:prefix": parameters.data.data_key.reference() } });
    let names_index = || {
        Sub::new()
            .param(&parameters.data.data_key)
            .text(NAMES_INDEX_SUFFIX)
    };
    let names_only = json!({ "StringLike": { "s3:prefix": names_index().text("*").build() } });
    let data_object = Sub::new()
        .arn(&storage.bucket)
        .text("/")
        .param(&parameters.data.data_key)
        .build();
    let names_objects = Sub::new()
        .arn(&storage.bucket)
        .text("/")
        .then(names_index())
        .text("*")
        .build();
    let s3 = &parameters.data.use_s3;
    let dynamodb = &parameters.data.use_dynamodb;
    let mut statements = vec![
        Statement::allow(
            "ReadDataLocation",
            &[actions::SSM_GET_PARAMETERS],
            vec![
                parameters
                    .data
                    .bucket_parameter
                    .arn(&storage.bucket_parameter),
                parameters.data.file_parameter.arn(&storage.file_parameter),
            ],
        )
        .only_if(s3),
        Statement::allow("UseDataObject", spec.data_actions, vec![data_object]).only_if(s3),
        Statement::allow("ListDataKey", spec.list_actions, vec![storage.bucket.arn()])
            .when(data_key_only)
            .only_if(s3),
        Statement::allow(
            "ReadTableName",
            &[actions::SSM_GET_PARAMETER],
            vec![parameters.data.table_parameter.arn(&table.table_parameter)],
        )
        .only_if(dynamodb),
        Statement::allow("UseTable", spec.table_actions, vec![table.table.arn()]).only_if(dynamodb),
    ];
    if !spec.names_actions.is_empty() {
        statements.extend([
            Statement::allow("UseNamesIndex", spec.names_actions, vec![names_objects]).only_if(s3),
            Statement::allow(
                "ListNamesIndex",
                &[actions::S3_LIST_BUCKET],
                vec![storage.bucket.arn()],
            )
            .when(names_only)
            .only_if(s3),
        ]);
    }
    if !spec.index_actions.is_empty() {
        let index = Sub::new()
            .arn(&table.table)
            .text(&format!("/index/{}", data_store::table::FAMILY_INDEX))
            .build();
        statements.push(
            Statement::allow("QueryFamilyIndex", spec.index_actions, vec![index]).only_if(dynamodb),
        );
    }
    statements
}

/// One function: its log group, its role (`statements` plus writing its own logs and
/// traces), and the function itself with `variables`.
struct Function<'a> {
    id: &'a str,
    binary: &'a str,
    description: &'a str,
    timeout_seconds: i32,
    variables: BTreeMap<String, ExpString>,
    statements: Vec<Statement>,
}

impl Function<'_> {
    /// Adds the function, its log group and role, and publishes it behind its
    /// alias; answers it and its log group.
    fn add(
        mut self,
        template: &mut Template,
        parameters: &Parameters,
    ) -> Result<(Published, Handle<logs::LogGroup_>), TemplateError> {
        let log_group: Handle<logs::LogGroup_> =
            super::logging::add(template, &format!("{}LogGroup", self.id))?;
        self.statements.extend([
            Statement::allow(
                "WriteOwnLogs",
                &[
                    actions::LOGS_CREATE_LOG_STREAM,
                    actions::LOGS_PUT_LOG_EVENTS,
                ],
                vec![log_group.arn()],
            ),
            Statement::allow_unscoped(
                "WriteTraces",
                &[
                    actions::XRAY_PUT_TRACE_SEGMENTS,
                    actions::XRAY_PUT_TELEMETRY_RECORDS,
                ],
            ),
        ]);
        let role = template.add_with(
            &format!("{}Role", self.id),
            iam::role(
                &Trust::service(Service::Lambda),
                &format!("Execution role of {}", self.binary),
                &format!("{}Policy", self.id),
                &PolicyDocument::new(self.statements),
            ),
            Attributes::default().suppress(&[iam::INLINE_POLICY, iam::UNSCOPED_ACTIONS]),
        )?;
        let function = template.add_packaged(
            &format!("{}Function", self.id),
            lambda::Function! {
                architectures: vec!["arm64".into()],
                code: lambda::function::Code! {},
                description: self.description,
                environment: lambda::function::Environment! { variables: self.variables },
                handler: "bootstrap",
                logging_config: lambda::function::LoggingConfig! {
                    application_log_level: "INFO",
                    log_format: "JSON",
                    log_group: log_group.reference(),
                    system_log_level: "WARN",
                },
                memory_size: 128,
                role: role.arn(),
                runtime: "provided.al2023",
                timeout: self.timeout_seconds,
                tracing_config: lambda::function::TracingConfig! { mode: "Active" },
            },
            &code_path(self.binary),
            Attributes::skipping(&SKIPS).suppress(&GUARD_SUPPRESSIONS),
        )?;
        let published = delivery::publish(template, parameters, self.id, self.binary, function)?;
        Ok((published, log_group))
    }
}

fn add_one(
    template: &mut Template,
    spec: &Spec,
    parameters: &Parameters,
    storage: &Storage,
    table: &Table,
) -> Result<(Published, Handle<logs::LogGroup_>), TemplateError> {
    let mut variables: BTreeMap<String, ExpString> = BTreeMap::from([
        (
            names::ENV_BUCKET_PARAMETER.to_owned(),
            storage.bucket_parameter.reference(),
        ),
        (
            names::ENV_FILE_PARAMETER.to_owned(),
            storage.file_parameter.reference(),
        ),
        (
            names::ENV_DATA_STORE.to_owned(),
            parameters.data.data_store.reference(),
        ),
        // The parameter's name, not a reference to it: it exists only on DynamoDB.
        (
            names::ENV_TABLE_PARAMETER.to_owned(),
            parameters.data.table_parameter.name(),
        ),
    ]);
    if spec.query_engine {
        variables.insert(
            names::ENV_QUERY_ENGINE.to_owned(),
            parameters.api.query_engine.reference(),
        );
    }
    Function {
        id: spec.id,
        binary: spec.binary,
        description: spec.description,
        timeout_seconds: spec.timeout_seconds,
        variables,
        statements: data_statements(spec, parameters, storage, table),
    }
    .add(template, parameters)
}

/// The report-status function's timeout: one `DescribeExecution`.
const REPORT_STATUS_TIMEOUT_SECONDS: i32 = 10;

/// The timeout of the function built from `binary`, if the stack builds one.
pub fn timeout_seconds(binary: &str) -> Option<i32> {
    if binary == functions::REPORT_STATUS {
        return Some(REPORT_STATUS_TIMEOUT_SECONDS);
    }
    SPECS
        .iter()
        .find(|spec| spec.binary == binary)
        .map(|spec| spec.timeout_seconds)
}

/// Adds the report-status function: `states:DescribeExecution` on the executions of
/// `machine` only.
pub fn add_report_status(
    template: &mut Template,
    parameters: &Parameters,
    machine: &Handle<stepfunctions::StateMachine_>,
) -> Result<Published, TemplateError> {
    let executions = regional_arn(
        "states",
        Sub::new().text("execution:").name_of(machine).text(":*"),
    );
    Function {
        id: "ReportStatus",
        binary: functions::REPORT_STATUS,
        description: "GET /dragons/reports/{reportId}: a report's status, for its reporter only.",
        timeout_seconds: REPORT_STATUS_TIMEOUT_SECONDS,
        variables: BTreeMap::from([(names::ENV_STATE_MACHINE_ARN.to_owned(), machine.reference())]),
        statements: vec![Statement::allow(
            "ReadReportExecutions",
            &[actions::STATES_DESCRIBE_EXECUTION],
            vec![executions],
        )],
    }
    .add(template, parameters)
    .map(|(function, _)| function)
}

/// Adds the three data functions with their roles and log groups.
pub fn add(
    template: &mut Template,
    parameters: &Parameters,
    storage: &Storage,
    table: &Table,
) -> Result<Functions, TemplateError> {
    let [list, validate, add] = &SPECS;
    let (list, _) = add_one(template, list, parameters, storage, table)?;
    let (validate, validate_logs) = add_one(template, validate, parameters, storage, table)?;
    let (add, add_logs) = add_one(template, add, parameters, storage, table)?;
    Ok(Functions {
        list,
        validate,
        add,
        validate_logs,
        add_logs,
    })
}
