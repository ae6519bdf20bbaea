//! The stack's parameters and the conditions derived from them, in groups by what
//! they decide: the API, the data, the users, who is told, and how code is delivered.

use dragons_contract::{data_store::DataStore, names, query_engine::QueryEngine};
use stratosphere::value::{ExpBool, ExpString, equals_string};

use super::SsmName;
use super::delivery::DEPLOYMENT_CONFIGS;
use crate::template::{Condition, Param, Parameter, Template, TemplateError};

/// Parameters (and conditions) the other modules read.
pub struct Parameters {
    /// The API's.
    pub api: ApiParameters,
    /// Where the data lives and how it is found.
    pub data: DataParameters,
    /// Who may sign up and how they sign in.
    pub users: UserParameters,
    /// Who is told of reports and of alarms.
    pub notices: NoticeParameters,
    /// How new code reaches the functions.
    pub delivery: DeliveryParameters,
}

/// The API's parameters.
pub struct ApiParameters {
    /// The API stage name.
    pub stage: Param,
    /// `DRAGONS_QUERY_ENGINE` of list-dragons.
    pub query_engine: Param,
    /// Holds when the stack should create the account-wide API Gateway logging role.
    pub create_api_gateway_account: Condition,
}

/// Where the dragons live.
pub struct DataParameters {
    /// Where the dragons live (`s3` or `dynamodb`).
    pub data_store: Param,
    /// Holds when the dragons live in the DynamoDB table.
    pub use_dynamodb: Condition,
    /// Holds when the dragons live in the S3 object.
    pub use_s3: Condition,
    /// Name of the SSM parameter holding the data bucket's name.
    pub bucket_parameter: SsmName,
    /// Name of the SSM parameter holding the data object's key.
    pub file_parameter: SsmName,
    /// Key of the data object (the SSM parameter's initial value).
    pub data_key: Param,
    /// Name of the SSM parameter holding the DynamoDB table's name.
    pub table_parameter: SsmName,
}

/// The user pool's settings.
pub struct UserParameters {
    /// Holds when anyone may create an account (else only an administrator can).
    pub self_sign_up: Condition,
    /// The user pool's `MfaConfiguration` (`OPTIONAL` or `ON`; TOTP only).
    pub mfa: Param,
}

/// The e-mail addresses subscribed to the stack's topics.
pub struct NoticeParameters {
    /// Address that gets the report notifications, when set.
    pub notification_email: Param,
    /// Holds when a notification address was given.
    pub has_notification_email: Condition,
    /// Address that gets the operator's alarms, when set.
    pub ops_email: Param,
    /// Holds when an operator address was given.
    pub has_ops_email: Condition,
}

/// How CodeDeploy moves the functions to new code.
pub struct DeliveryParameters {
    /// How CodeDeploy shifts a function's alias to a new version.
    pub deployment_config: Param,
    /// What the functions' code is: a new value publishes new versions.
    pub code_version: Param,
}

/// Declares the parameters and conditions.
pub fn add(template: &mut Template) -> Result<Parameters, TemplateError> {
    Ok(Parameters {
        api: add_api(template)?,
        data: add_data(template)?,
        users: add_users(template)?,
        notices: add_notices(template)?,
        delivery: add_delivery(template)?,
    })
}

/// A `true`/`false` parameter.
pub fn add_switch(
    template: &mut Template,
    id: &str,
    description: &str,
    default: bool,
) -> Result<Param, TemplateError> {
    template.parameter(
        id,
        Parameter::string(description, if default { "true" } else { "false" })
            .allowed_values(&["true", "false"]),
    )
}

/// A condition that holds when `switch` is `true`.
pub fn is_on(
    template: &mut Template,
    id: &str,
    switch: &Param,
) -> Result<Condition, TemplateError> {
    template.condition(
        id,
        equals_string(switch.reference(), ExpString::from("true")),
    )
}

/// A condition that holds when `parameter` is not empty.
pub fn is_given(
    template: &mut Template,
    id: &str,
    parameter: &Param,
) -> Result<Condition, TemplateError> {
    template.condition(
        id,
        ExpBool::Not(Box::new(equals_string(
            parameter.reference(),
            ExpString::from(""),
        ))),
    )
}

/// An e-mail address parameter, empty for none.
fn add_email(template: &mut Template, id: &str, description: &str) -> Result<Param, TemplateError> {
    template.parameter(
        id,
        Parameter::string(description, "")
            .allowed_pattern("^$|^[^@\\s]+@[^@\\s]+$", "empty, or an e-mail address"),
    )
}

/// The stage, the query engine and the account's API Gateway logging role.
fn add_api(template: &mut Template) -> Result<ApiParameters, TemplateError> {
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
    let create_account = add_switch(
        template,
        "CreateApiGatewayAccount",
        "Create the account-wide API Gateway CloudWatch role (only for accounts that have none; access logs need it).",
        false,
    )?;
    Ok(ApiParameters {
        stage,
        query_engine,
        create_api_gateway_account: is_on(
            template,
            "CreateApiGatewayAccountRole",
            &create_account,
        )?,
    })
}

/// The store, and the SSM parameters and key that say where its data is.
fn add_data(template: &mut Template) -> Result<DataParameters, TemplateError> {
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
    Ok(DataParameters {
        data_store,
        use_dynamodb,
        use_s3,
        bucket_parameter,
        file_parameter,
        data_key,
        table_parameter,
    })
}

/// Self sign-up and multi-factor sign-in.
fn add_users(template: &mut Template) -> Result<UserParameters, TemplateError> {
    let allow_self_sign_up = add_switch(
        template,
        "SelfSignUp",
        "Let anyone create an account with an e-mail address (true), or only an administrator (false: admin-create-user). Every account may report dragons.",
        false,
    )?;
    let mfa = template.parameter(
        "Mfa",
        Parameter::string(
            "TOTP multi-factor sign-in: OPTIONAL (each user may add an authenticator app; sign-in with the password alone stays possible for those who do not) or ON (every user must set one up at first sign-in and use it).",
            "OPTIONAL",
        )
        .allowed_values(&["OPTIONAL", "ON"]),
    )?;
    Ok(UserParameters {
        self_sign_up: is_on(template, "AllowSelfSignUp", &allow_self_sign_up)?,
        mfa,
    })
}

/// The report notifications' and the alarms' subscribers.
fn add_notices(template: &mut Template) -> Result<NoticeParameters, TemplateError> {
    let notification_email = add_email(
        template,
        "NotificationEmail",
        "E-mail address subscribed to report notifications (empty: none).",
    )?;
    let ops_email = add_email(
        template,
        "OpsEmail",
        "E-mail address subscribed to the operator's alarms (the ops topic; empty: none).",
    )?;
    Ok(NoticeParameters {
        has_notification_email: is_given(template, "HasNotificationEmail", &notification_email)?,
        notification_email,
        has_ops_email: is_given(template, "HasOpsEmail", &ops_email)?,
        ops_email,
    })
}

/// CodeDeploy's traffic shifting and the code's version.
fn add_delivery(template: &mut Template) -> Result<DeliveryParameters, TemplateError> {
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
    Ok(DeliveryParameters {
        deployment_config,
        code_version,
    })
}
