//! The stack's parameters and the conditions derived from them.

use dragons_contract::{data_store::DataStore, names, query_engine::QueryEngine};
use stratosphere::value::{ExpBool, ExpString, equals_string};

use super::SsmName;
use super::delivery::DEPLOYMENT_CONFIGS;
use crate::template::{Condition, Param, Parameter, Template, TemplateError};

/// Parameters (and conditions) the other modules read.
pub struct Parameters {
    /// The API stage name.
    pub stage: Param,
    /// `DRAGONS_QUERY_ENGINE` of list-dragons.
    pub query_engine: Param,
    /// Name of the SSM parameter holding the data bucket's name.
    pub bucket_parameter: SsmName,
    /// Name of the SSM parameter holding the data object's key.
    pub file_parameter: SsmName,
    /// Key of the data object (the SSM parameter's initial value).
    pub data_key: Param,
    /// Address that gets the report notifications, when set.
    pub notification_email: Param,
    /// Holds when a notification address was given.
    pub has_notification_email: Condition,
    /// Address that gets the operator's alarms, when set.
    pub ops_email: Param,
    /// Holds when an operator address was given.
    pub has_ops_email: Condition,
    /// Holds when the stack should create the account-wide API Gateway logging role.
    pub create_api_gateway_account: Condition,
    /// Where the dragons live (`s3` or `dynamodb`).
    pub data_store: Param,
    /// Name of the SSM parameter holding the DynamoDB table's name.
    pub table_parameter: SsmName,
    /// Holds when the dragons live in the DynamoDB table.
    pub use_dynamodb: Condition,
    /// Holds when the dragons live in the S3 object.
    pub use_s3: Condition,
    /// Holds when anyone may create an account (else only an administrator can).
    pub self_sign_up: Condition,
    /// The user pool's `MfaConfiguration` (`OPTIONAL` or `ON`; TOTP only).
    pub mfa: Param,
    /// How CodeDeploy shifts a function's alias to a new version.
    pub deployment_config: Param,
    /// What the functions' code is: a new value publishes new versions.
    pub code_version: Param,
}

/// Declares the parameters and conditions.
pub fn add(template: &mut Template) -> Result<Parameters, TemplateError> {
    let stage = template.parameter(
        "StageName",
        Parameter::string(
            "API Gateway stage name (the first path segment of the API URL).",
            names::STAGE,
        )
        .allowed_pattern(names::STAGE_PATTERN, names::STAGE_PATTERN_HELP),
    )?;
    let query_engine = template.parameter(
        "QueryEngine",
        Parameter::string(
            "How GET /dragons queries the data: S3 Select, a scan in the Lambda, or S3 Select falling back to a scan.",
            QueryEngine::default().name(),
        )
        .allowed_values(&QueryEngine::ALL.map(QueryEngine::name)),
    )?;
    let bucket_parameter = SsmName::add(
        template,
        "BucketParameterName",
        "Name of the SSM parameter that holds the data bucket's name.",
        names::DEFAULT_BUCKET_PARAMETER,
    )?;
    let file_parameter = SsmName::add(
        template,
        "FileParameterName",
        "Name of the SSM parameter that holds the data object's key.",
        names::DEFAULT_FILE_PARAMETER,
    )?;
    let data_key = template.parameter(
        "DataObjectKey",
        Parameter::string(
            "Key of the dragon data object: .jsonl/.ndjson for JSON Lines, anything else for one JSON array.",
            names::DEFAULT_DATA_KEY,
        )
        .allowed_pattern("^[^\\s].{0,1023}$", "a non-empty S3 key"),
    )?;
    let notification_email = template.parameter(
        "NotificationEmail",
        Parameter::string(
            "E-mail address subscribed to report notifications (empty: none).",
            "",
        )
        .allowed_pattern("^$|^[^@\\s]+@[^@\\s]+$", "empty, or an e-mail address"),
    )?;
    let ops_email = template.parameter(
        "OpsEmail",
        Parameter::string(
            "E-mail address subscribed to the operator's alarms (the ops topic; empty: none).",
            "",
        )
        .allowed_pattern("^$|^[^@\\s]+@[^@\\s]+$", "empty, or an e-mail address"),
    )?;
    let create_account = template.parameter(
        "CreateApiGatewayAccount",
        Parameter::string(
            "Create the account-wide API Gateway CloudWatch role (only for accounts that have none; access logs need it).",
            "false",
        )
        .allowed_values(&["true", "false"]),
    )?;
    let data_store = template.parameter(
        "DataStore",
        Parameter::string(
            "Where the dragons live: one S3 object (the seed's design) or a DynamoDB table (one conditional write an add, one lookup a name).",
            DataStore::default().name(),
        )
        .allowed_values(&DataStore::ALL.map(DataStore::name)),
    )?;
    let table_parameter = SsmName::add(
        template,
        "TableParameterName",
        "Name of the SSM parameter that holds the DynamoDB table's name (DataStore=dynamodb).",
        names::DEFAULT_TABLE_PARAMETER,
    )?;
    let allow_self_sign_up = template.parameter(
        "SelfSignUp",
        Parameter::string(
            "Let anyone create an account with an e-mail address (true), or only an administrator (false: admin-create-user). Every account may report dragons.",
            "false",
        )
        .allowed_values(&["true", "false"]),
    )?;
    let mfa = template.parameter(
        "Mfa",
        Parameter::string(
            "TOTP multi-factor sign-in: OPTIONAL (each user may add an authenticator app; sign-in with the password alone stays possible for those who do not) or ON (every user must set one up at first sign-in and use it).",
            "OPTIONAL",
        )
        .allowed_values(&["OPTIONAL", "ON"]),
    )?;
    let deployment_config = template.parameter(
        "DeploymentConfig",
        Parameter::string(
            "How CodeDeploy moves each function's live alias to a new version: all at once (test), or a canary or linear shift that rolls back when the function's alarms fire (prod).",
            DEPLOYMENT_CONFIGS[0],
        )
        .allowed_values(&DEPLOYMENT_CONFIGS),
    )?;
    let code_version = template.parameter(
        "CodeVersion",
        Parameter::string(
            "What the functions' code and settings are (scripts/deploy: a hash of the zips and the environment file). A new value publishes a new version of every function, which CodeDeploy then shifts to.",
            "",
        )
        .allowed_pattern("^[a-zA-Z0-9._-]{0,64}$", "up to 64 letters, digits, '.', '_', '-'"),
    )?;
    let self_sign_up = template.condition(
        "AllowSelfSignUp",
        equals_string(allow_self_sign_up.reference(), ExpString::from("true")),
    )?;
    let use_dynamodb = template.condition(
        "UseDynamoDb",
        equals_string(
            data_store.reference(),
            ExpString::from(DataStore::DynamoDb.name()),
        ),
    )?;
    let use_s3 = template.condition(
        "UseS3",
        ExpBool::Not(Box::new(ExpBool::Condition(use_dynamodb.name()))),
    )?;
    let has_notification_email = template.condition(
        "HasNotificationEmail",
        ExpBool::Not(Box::new(equals_string(
            notification_email.reference(),
            ExpString::from(""),
        ))),
    )?;
    let has_ops_email = template.condition(
        "HasOpsEmail",
        ExpBool::Not(Box::new(equals_string(
            ops_email.reference(),
            ExpString::from(""),
        ))),
    )?;
    let create_api_gateway_account = template.condition(
        "CreateApiGatewayAccountRole",
        equals_string(create_account.reference(), ExpString::from("true")),
    )?;
    Ok(Parameters {
        stage,
        query_engine,
        bucket_parameter,
        file_parameter,
        data_key,
        notification_email,
        has_notification_email,
        ops_email,
        has_ops_email,
        create_api_gateway_account,
        data_store,
        table_parameter,
        use_dynamodb,
        use_s3,
        self_sign_up,
        mfa,
        deployment_config,
        code_version,
    })
}
