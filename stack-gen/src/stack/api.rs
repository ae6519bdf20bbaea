//! The REST API, built from [`routes`]: `/dragons` with GET (Lambda proxy) and POST
//! (Step Functions `StartExecution`), `/dragons/reports/{reportId}` with GET (Lambda
//! proxy), a Cognito authorizer on each, CORS, a deployment that changes with the
//! API, and a logged, throttled, traced stage.

use std::collections::{BTreeMap, BTreeSet};

use dragons_contract::{
    cors,
    names::{DRAGONS_PATH_PART, RETRY_AFTER_SECONDS},
    report_status::{REPORT_ID_PARAMETER, REPORTS_PATH_PART},
    schema::dragon_schema,
};
use stratosphere::services::aws::{apigateway, iam as iam_types, lambda, stepfunctions};
use stratosphere::value::ExpString;

use super::routes::{self, In, Route};
use super::{Auth, Parameters, request_template};
use crate::iam::{self, PolicyDocument, Service, Statement, Trust, actions};
use crate::template::{
    Attributes, CheckovSkip, GuardSuppression, Handle, Pseudo, Sub, Template, TemplateError,
    region_arn, regional_arn,
};

/// The deployed API.
pub struct Api {
    /// The REST API.
    pub rest_api: Handle<apigateway::RestApi_>,
    /// Its stage.
    pub stage: Handle<apigateway::Stage_>,
}

const JSON: &str = "application/json";
const ALLOW_ORIGIN_HEADER: &str = "Access-Control-Allow-Origin";
const ALLOW_HEADERS_HEADER: &str = "Access-Control-Allow-Headers";
const ALLOW_METHODS_HEADER: &str = "Access-Control-Allow-Methods";
const EXPOSE_HEADERS_HEADER: &str = "Access-Control-Expose-Headers";

fn header(name: &str) -> String {
    format!("method.response.header.{name}")
}

/// A static header value as API Gateway mappings write it: in single quotes.
fn quoted(value: &str) -> ExpString {
    format!("'{value}'").as_str().into()
}

fn json_body(text: &str) -> BTreeMap<String, ExpString> {
    BTreeMap::from([(JSON.to_owned(), text.into())])
}

/// Header mappings for CORS answers (integration responses): a preflight's, or an
/// answer's (which names the headers a browser's script may read).
fn cors_values(with_preflight: bool) -> BTreeMap<String, ExpString> {
    let mut values = BTreeMap::from([(header(ALLOW_ORIGIN_HEADER), quoted(cors::ALLOW_ORIGIN))]);
    if with_preflight {
        values.insert(header(ALLOW_HEADERS_HEADER), quoted(cors::ALLOW_HEADERS));
        values.insert(header(ALLOW_METHODS_HEADER), quoted(cors::ALLOW_METHODS));
    } else {
        values.insert(header(EXPOSE_HEADERS_HEADER), quoted(cors::EXPOSE_HEADERS));
    }
    values
}

/// The same headers, declared on method responses.
fn cors_declared(with_preflight: bool) -> BTreeMap<String, ExpString> {
    cors_values(with_preflight)
        .into_keys()
        .map(|name| (name, "true".into()))
        .collect()
}

/// `arn:${AWS::Partition}:apigateway:${AWS::Region}:` + the service path API Gateway calls.
fn integration_uri(service_path: Sub) -> ExpString {
    region_arn("apigateway", service_path)
}

/// The method response for the route's answer `status`: CORS and its own headers.
fn method_response(route: &Route, status: u16) -> apigateway::method::MethodResponse_ {
    let mut declared = cors_declared(false);
    for answer_header in route
        .answer(status)
        .map_or(&[][..], |answer| answer.headers)
    {
        declared.insert(header(answer_header.name), "true".into());
    }
    apigateway::method::MethodResponse! {
        response_parameters: declared,
        status_code: status.to_string().as_str(),
    }
}

/// Maps the integration's answers matching `pattern` (all others with `None`) to
/// `status` with `body`, plus `Retry-After` when `retry_after`.
fn integration_response(
    pattern: Option<&str>,
    status: u16,
    body: &str,
    retry_after: bool,
) -> apigateway::method::IntegrationResponse_ {
    let mut values = cors_values(false);
    if retry_after {
        values.insert(
            header(routes::RETRY_AFTER.name),
            quoted(&RETRY_AFTER_SECONDS.to_string()),
        );
    }
    let mut response = apigateway::method::IntegrationResponse! {
        response_parameters: values,
        response_templates: json_body(body),
        status_code: status.to_string().as_str(),
    };
    response.selection_pattern = pattern.map(ExpString::from);
    response
}

/// The method request parameters of `route` (API Gateway passes on only those).
fn request_parameters(route: &Route) -> BTreeMap<String, ExpString> {
    route
        .parameters
        .iter()
        .map(|parameter| {
            let place = match parameter.place {
                In::Query => "querystring",
                In::Path => "path",
            };
            (
                format!("method.request.{place}.{}", parameter.name),
                parameter.required.to_string().as_str().into(),
            )
        })
        .collect()
}

/// The CORS preflight of `resource`: no authorizer, a MOCK 204.
fn preflight(
    template: &mut Template,
    id: &str,
    api_id: &ExpString,
    resource: &Handle<apigateway::Resource_>,
) -> Result<Handle<apigateway::Method_>, TemplateError> {
    template.add(
        id,
        apigateway::Method! {
            authorization_type: "NONE",
            http_method: "OPTIONS",
            integration: apigateway::method::Integration! {
                integration_responses: vec![apigateway::method::IntegrationResponse! {
                    response_parameters: cors_values(true),
                    response_templates: json_body(""),
                    status_code: "204",
                }],
                request_templates: json_body("{\"statusCode\": 204}"),
                r#type: "MOCK",
            },
            method_responses: vec![apigateway::method::MethodResponse! {
                response_parameters: cors_declared(true),
                status_code: "204",
            }],
            resource_id: resource.reference(),
            rest_api_id: api_id.clone(),
        },
    )
}

/// A Lambda proxy integration of `function`.
fn lambda_proxy(function: &Handle<lambda::Function_>) -> apigateway::method::Integration_ {
    apigateway::method::Integration! {
        integration_http_method: "POST",
        r#type: "AWS_PROXY",
        uri: integration_uri(
            Sub::new()
                .text("lambda:path/2015-03-31/functions/")
                .arn(function)
                .text("/invocations"),
        ),
    }
}

const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","caller":"$context.authorizer.claims.sub","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationError":"$context.integration.error"}"#;

const CACHE_SKIP: CheckovSkip = CheckovSkip {
    id: "CKV_AWS_120",
    reason: "Answers change with every accepted report and depend on the caller's query; a cache would serve stale lists and bills by the hour.",
};

/// Control Tower's Lambda public-access control (CT.LAMBDA.PR.2) cannot read a
/// `SourceArn` built with `Fn::Sub`.
const PERMISSION_SOURCE_IS_A_SUB: GuardSuppression = GuardSuppression {
    rule: "CT.LAMBDA.PR.2",
    reason: "Not public: only API Gateway may invoke, and only from this API's one method (SourceArn is its execute-api ARN in this account and region, tighter than the SourceAccount the control also accepts). The control takes a SourceArn only as a literal string or a Ref/GetAtt of a resource, not as the Fn::Sub that builds the method's ARN.",
};

/// Inputs the API wires together.
pub struct Backends<'a> {
    /// Sign-in.
    pub auth: &'a Auth,
    /// GET's Lambda.
    pub list_function: &'a Handle<lambda::Function_>,
    /// The report status route's Lambda.
    pub status_function: &'a Handle<lambda::Function_>,
    /// POST's state machine.
    pub state_machine: &'a Handle<stepfunctions::StateMachine_>,
}

/// Adds the API, its methods, deployment and stage.
pub fn add(
    template: &mut Template,
    parameters: &Parameters,
    backends: &Backends,
) -> Result<Api, TemplateError> {
    let rest_api = template.add(
        "DragonsApi",
        apigateway::RestApi! {
            description: "Dragons: list (GET) and report (POST) dragons.",
            endpoint_configuration: apigateway::restapi::EndpointConfiguration! { types: vec!["REGIONAL".into()] },
            name: Sub::new().pseudo(Pseudo::StackName).text("-dragons").build(),
        },
    )?;
    let api_id = rest_api.reference();
    let dragons = template.add(
        "DragonsResource",
        apigateway::Resource! {
            parent_id: rest_api.root_resource_id(),
            path_part: DRAGONS_PATH_PART,
            rest_api_id: api_id.clone(),
        },
    )?;
    let authorizer = template.add(
        "CognitoAuthorizer",
        apigateway::Authorizer! {
            identity_source: "method.request.header.Authorization",
            name: "cognito-id-token",
            provider_ar_ns: vec![backends.auth.user_pool.arn()],
            rest_api_id: api_id.clone(),
            r#type: "COGNITO_USER_POOLS",
        },
    )?;
    let model = template.add(
        "DragonModel",
        apigateway::Model! {
            content_type: JSON,
            description: "A reported dragon (generated from the Rust Dragon type).",
            name: "Dragon",
            rest_api_id: api_id.clone(),
            schema: dragon_schema(),
        },
    )?;
    let body_validator = template.add(
        "BodyValidator",
        apigateway::RequestValidator! {
            name: "body",
            rest_api_id: api_id.clone(),
            validate_request_body: true,
            validate_request_parameters: false,
        },
    )?;

    let list = routes::list_dragons();
    let get = template.add(
        "GetDragonsMethod",
        apigateway::Method! {
            authorization_type: "COGNITO_USER_POOLS",
            authorizer_id: authorizer.reference(),
            http_method: list.method,
            integration: lambda_proxy(backends.list_function),
            operation_name: list.operation,
            request_parameters: request_parameters(&list),
            resource_id: dragons.reference(),
            rest_api_id: api_id.clone(),
        },
    )?;
    template.add_with(
        "ListDragonsInvokePermission",
        lambda::Permission! {
            action: "lambda:InvokeFunction",
            function_name: backends.list_function.arn(),
            principal: "apigateway.amazonaws.com",
            source_arn: regional_arn("execute-api", Sub::new().reference(&rest_api).text(&format!("/*/{}{}", list.method, list.path))),
        },
        Attributes::default().suppress(&[PERMISSION_SOURCE_IS_A_SUB]),
    )?;

    let reports = template.add(
        "ReportsResource",
        apigateway::Resource! {
            parent_id: dragons.reference(),
            path_part: REPORTS_PATH_PART,
            rest_api_id: api_id.clone(),
        },
    )?;
    let report = template.add(
        "ReportResource",
        apigateway::Resource! {
            parent_id: reports.reference(),
            path_part: format!("{{{REPORT_ID_PARAMETER}}}").as_str(),
            rest_api_id: api_id.clone(),
        },
    )?;
    let status = routes::report_status();
    let get_report = template.add(
        "GetReportStatusMethod",
        apigateway::Method! {
            authorization_type: "COGNITO_USER_POOLS",
            authorizer_id: authorizer.reference(),
            http_method: status.method,
            integration: lambda_proxy(backends.status_function),
            operation_name: status.operation,
            request_parameters: request_parameters(&status),
            resource_id: report.reference(),
            rest_api_id: api_id.clone(),
        },
    )?;
    template.add_with(
        "ReportStatusInvokePermission",
        lambda::Permission! {
            action: "lambda:InvokeFunction",
            function_name: backends.status_function.arn(),
            principal: "apigateway.amazonaws.com",
            source_arn: regional_arn(
                "execute-api",
                Sub::new().reference(&rest_api).text(&format!(
                    "/*/{}/{DRAGONS_PATH_PART}/{REPORTS_PATH_PART}/*",
                    status.method
                )),
            ),
        },
        Attributes::default().suppress(&[PERMISSION_SOURCE_IS_A_SUB]),
    )?;

    let start_role = template.add_with(
        "ApiStartExecutionRole",
        iam::role(
            &Trust::service(Service::ApiGateway),
            "Lets POST /dragons start the report workflow",
            "StartReportExecution",
            &PolicyDocument::new(vec![Statement::allow(
                "StartReport",
                &[actions::STATES_START_EXECUTION],
                vec![backends.state_machine.reference()],
            )]),
        ),
        Attributes::default().suppress(&[iam::INLINE_POLICY]),
    )?;
    let report_dragon = routes::report_dragon();
    // Started: 202. A 4xx of StartExecution is 503 (throttled) unless its template
    // says 409 (name taken) or 502; a 5xx is 503. The 503s carry `Retry-After`.
    let post = template.add(
        "PostDragonsMethod",
        apigateway::Method! {
            authorization_type: "COGNITO_USER_POOLS",
            authorizer_id: authorizer.reference(),
            http_method: report_dragon.method,
            integration: apigateway::method::Integration! {
                credentials: start_role.arn(),
                integration_http_method: "POST",
                integration_responses: vec![
                    integration_response(None, 202, &request_template::started_response(), false),
                    integration_response(Some("4\\d{2}"), 503, request_template::START_REFUSED_RESPONSE, true),
                    integration_response(Some("5\\d{2}"), 503, request_template::START_UNAVAILABLE_RESPONSE, true),
                ],
                passthrough_behavior: "NEVER",
                request_templates: BTreeMap::from([(JSON.to_owned(), request_template::start_execution(backends.state_machine))]),
                r#type: "AWS",
                uri: integration_uri(Sub::new().text("states:action/StartExecution")),
            },
            method_responses: [202, 409, 502, 503]
                .into_iter()
                .map(|status| method_response(&report_dragon, status))
                .collect::<Vec<_>>(),
            operation_name: report_dragon.operation,
            request_models: BTreeMap::from([(JSON.to_owned(), model.reference())]),
            request_validator_id: body_validator.reference(),
            resource_id: dragons.reference(),
            rest_api_id: api_id.clone(),
        },
    )?;
    let options = preflight(template, "OptionsDragonsMethod", &api_id, &dragons)?;
    let report_options = preflight(template, "OptionsReportMethod", &api_id, &report)?;
    let mut api_parts = BTreeSet::from([
        rest_api.id().to_owned(),
        dragons.id().to_owned(),
        reports.id().to_owned(),
        report.id().to_owned(),
        authorizer.id().to_owned(),
        model.id().to_owned(),
        body_validator.id().to_owned(),
        get.id().to_owned(),
        post.id().to_owned(),
        get_report.id().to_owned(),
        options.id().to_owned(),
        report_options.id().to_owned(),
    ]);
    for (id, kind) in [
        ("Default4xxResponse", "DEFAULT_4XX"),
        ("Default5xxResponse", "DEFAULT_5XX"),
    ] {
        let response = template.add(
            id,
            apigateway::GatewayResponse! {
                response_parameters: BTreeMap::from([(format!("gatewayresponse.header.{ALLOW_ORIGIN_HEADER}"), quoted(cors::ALLOW_ORIGIN))]),
                response_type: kind,
                rest_api_id: api_id.clone(),
            },
        )?;
        api_parts.insert(response.id().to_owned());
    }

    let deployment = template.add_with(
        &format!("ApiDeployment{}", template.fingerprint(&api_parts)),
        apigateway::Deployment! {
            description: "Dragons API (the logical id changes with the API, so updates redeploy)",
            rest_api_id: api_id.clone(),
        },
        Attributes::default()
            .after(&get)
            .after(&post)
            .after(&get_report)
            .after(&options)
            .after(&report_options),
    )?;
    let access_logs = super::logging::add(template, "ApiAccessLogGroup")?;
    let stage = template.add_with(
        "ApiStage",
        apigateway::Stage! {
            access_log_setting: apigateway::stage::AccessLogSetting! {
                destination_arn: access_logs.arn(),
                format: ACCESS_LOG_FORMAT,
            },
            deployment_id: deployment.reference(),
            description: "The dragons API stage",
            method_settings: vec![apigateway::stage::MethodSetting! {
                data_trace_enabled: false,
                http_method: "*",
                logging_level: "ERROR",
                metrics_enabled: true,
                resource_path: "/*",
                throttling_burst_limit: 50,
                throttling_rate_limit: 25.0,
            }],
            rest_api_id: api_id,
            stage_name: parameters.stage.reference(),
            tracing_enabled: true,
        },
        Attributes::skipping(&[CACHE_SKIP]).suppress(&[GuardSuppression {
            rule: "API_GW_CACHE_ENABLED_AND_ENCRYPTED",
            reason: CACHE_SKIP.reason,
        }]),
    )?;
    add_account_logging_role(template, parameters)?;
    Ok(Api { rest_api, stage })
}

/// Under `CreateApiGatewayAccountRole`: the account-wide role API Gateway writes
/// stage logs with, and the account setting that points at it.
fn add_account_logging_role(
    template: &mut Template,
    parameters: &Parameters,
) -> Result<(), TemplateError> {
    let condition = || Attributes::default().when(&parameters.create_api_gateway_account);
    let role: Handle<iam_types::Role_> = template.add_with(
        "ApiGatewayCloudWatchRole",
        iam::role(
            &Trust::service(Service::ApiGateway),
            "Account-wide role API Gateway uses to write execution and access logs",
            "PushToCloudWatchLogs",
            &PolicyDocument::new(vec![Statement::allow(
                "WriteApiLogs",
                &[
                    actions::LOGS_CREATE_LOG_GROUP,
                    actions::LOGS_CREATE_LOG_STREAM,
                    actions::LOGS_DESCRIBE_LOG_GROUPS,
                    actions::LOGS_DESCRIBE_LOG_STREAMS,
                    actions::LOGS_PUT_LOG_EVENTS,
                    actions::LOGS_GET_LOG_EVENTS,
                    actions::LOGS_FILTER_LOG_EVENTS,
                ],
                vec![regional_arn("logs", Sub::new().text("log-group:*"))],
            )]),
        ),
        condition().suppress(&[iam::INLINE_POLICY]),
    )?;
    template.add_with(
        "ApiGatewayAccount",
        apigateway::Account! { cloud_watch_role_arn: role.arn() },
        condition(),
    )?;
    Ok(())
}
