//! The REST API, built by one loop over the contract's route table ([`routes`]): a
//! resource per path segment, a method per route with its authorizer and integration
//! (a Lambda proxy, with the permission to invoke it from that method only, or the
//! Step Functions `StartExecution` service integration), a CORS preflight per resource
//! allowing the table's methods on it, a deployment that changes with the API, and a
//! logged, throttled, traced stage.

use std::collections::{BTreeMap, BTreeSet};

use dragons_contract::stack_ids::ids;
use dragons_contract::{
    cors,
    names::RETRY_AFTER_SECONDS,
    routes::{self, Authorization, Body, In, Integration, Route},
    schema::dragon_schema,
};
use stratosphere::services::aws::{apigateway, iam as iam_types, lambda, stepfunctions};
use stratosphere::value::ExpString;

use super::{Auth, Parameters, StackError, request_template};
use crate::iam::{self, PolicyDocument, Service, Statement, Trust, actions};
use crate::template::{
    Attributes, CheckovSkip, GuardSuppression, Handle, Pseudo, Sub, Template, TemplateError,
    id_stem, region_arn, regional_arn,
};

/// The deployed API.
pub struct Api {
    /// The REST API.
    pub rest_api: Handle<apigateway::RestApi_>,
    /// Its stage.
    pub stage: Handle<apigateway::Stage_>,
    /// Its name (what API Gateway's metrics carry as `ApiName`).
    pub name: Sub,
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

/// Header mappings for CORS answers (integration responses): a preflight's, which
/// allows `allowed_methods`, or (`None`) an answer's, which names the headers a
/// browser's script may read.
fn cors_values(allowed_methods: Option<&str>) -> BTreeMap<String, ExpString> {
    let mut values = BTreeMap::from([(header(ALLOW_ORIGIN_HEADER), quoted(cors::ALLOW_ORIGIN))]);
    match allowed_methods {
        Some(methods) => {
            values.insert(header(ALLOW_HEADERS_HEADER), quoted(cors::ALLOW_HEADERS));
            values.insert(header(ALLOW_METHODS_HEADER), quoted(methods));
        }
        None => {
            values.insert(header(EXPOSE_HEADERS_HEADER), quoted(cors::EXPOSE_HEADERS));
        }
    }
    values
}

/// The same headers, declared on method responses.
fn cors_declared(allowed_methods: Option<&str>) -> BTreeMap<String, ExpString> {
    cors_values(allowed_methods)
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
    let mut declared = cors_declared(None);
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
    let mut values = cors_values(None);
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

/// The CORS preflight of `resource`: no authorizer, a MOCK 204 allowing
/// `allowed_methods`.
fn preflight(
    template: &mut Template,
    id: &str,
    api_id: &ExpString,
    resource: &Handle<apigateway::Resource_>,
    allowed_methods: &str,
) -> Result<Handle<apigateway::Method_>, TemplateError> {
    template.add(
        id,
        apigateway::Method! {
            authorization_type: "NONE",
            http_method: "OPTIONS",
            integration: apigateway::method::Integration! {
                integration_responses: vec![apigateway::method::IntegrationResponse! {
                    response_parameters: cors_values(Some(allowed_methods)),
                    response_templates: json_body(""),
                    status_code: "204",
                }],
                request_templates: json_body("{\"statusCode\": 204}"),
                r#type: "MOCK",
            },
            method_responses: vec![apigateway::method::MethodResponse! {
                response_parameters: cors_declared(Some(allowed_methods)),
                status_code: "204",
            }],
            resource_id: resource.reference(),
            rest_api_id: api_id.clone(),
        },
    )
}

/// A Lambda proxy integration of a function's `live` alias (`Ref`: its ARN).
fn lambda_proxy(alias: &Handle<lambda::Alias_>) -> apigateway::method::Integration_ {
    apigateway::method::Integration! {
        integration_http_method: "POST",
        r#type: "AWS_PROXY",
        uri: integration_uri(
            Sub::new()
                .text("lambda:path/2015-03-31/functions/")
                .reference(alias)
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
    /// The Lambda functions' `live` aliases by binary name
    /// ([`dragons_contract::names::functions`]), for the routes' Lambda proxy
    /// integrations.
    pub functions: &'a [(&'static str, &'a Handle<lambda::Alias_>)],
    /// The report workflow, for the `StartExecution` integration.
    pub state_machine: &'a Handle<stepfunctions::StateMachine_>,
}

impl Backends<'_> {
    /// The alias of the function built from `binary`, which `route` is integrated with.
    fn function(
        &self,
        route: &Route,
        binary: &'static str,
    ) -> Result<&Handle<lambda::Alias_>, StackError> {
        self.functions
            .iter()
            .find(|(name, _)| *name == binary)
            .map(|(_, function)| *function)
            .ok_or_else(|| StackError::RouteFunction {
                route: format!("{} {}", route.method, route.path),
                binary,
            })
    }
}

/// The statuses the `StartExecution` integration answers with (its integration
/// responses below); every one is declared on the route.
const START_EXECUTION_STATUSES: [u16; 4] = [202, 409, 502, 503];

/// What every method of the API shares.
struct MethodContext<'a> {
    api: &'a Handle<apigateway::RestApi_>,
    authorizer: &'a Handle<apigateway::Authorizer_>,
    model: &'a Handle<apigateway::Model_>,
    body_validator: &'a Handle<apigateway::RequestValidator_>,
    backends: &'a Backends<'a>,
}

/// The API Gateway fields of `route`'s authorization: type and authorizer.
fn authorization(route: &Route, context: &MethodContext) -> (&'static str, ExpString) {
    match route.authorization {
        Authorization::CognitoIdToken => ("COGNITO_USER_POOLS", context.authorizer.reference()),
    }
}

/// Adds `route`'s method on `resource`, and what its integration needs (the
/// permission to invoke its Lambda, or the role that starts executions).
fn add_route(
    template: &mut Template,
    route: &Route,
    resource: &Handle<apigateway::Resource_>,
    context: &MethodContext,
) -> Result<Handle<apigateway::Method_>, StackError> {
    let id = format!("{}Method", route.operation);
    let (authorization_type, authorizer_id) = authorization(route, context);
    let mut method = match route.integration {
        Integration::LambdaProxy(binary) => {
            let function = context.backends.function(route, binary)?;
            template.add_with(
                &format!("{}InvokePermission", route.operation),
                lambda::Permission! {
                    action: "lambda:InvokeFunction",
                    function_name: function.reference(),
                    principal: "apigateway.amazonaws.com",
                    source_arn: regional_arn(
                        "execute-api",
                        Sub::new()
                            .reference(context.api)
                            .text(&format!("/*/{}{}", route.method, route.arn_path())),
                    ),
                },
                Attributes::default().suppress(&[PERMISSION_SOURCE_IS_A_SUB]),
            )?;
            apigateway::Method! {
                authorization_type: authorization_type,
                http_method: route.method,
                integration: lambda_proxy(function),
                resource_id: resource.reference(),
                rest_api_id: context.api.reference(),
            }
        }
        Integration::StartExecution => {
            let start_role = template.add_with(
                &format!("{}StartExecutionRole", route.operation),
                iam::role(
                    &Trust::service(Service::ApiGateway),
                    &format!(
                        "Lets {} {} start the report workflow",
                        route.method, route.path
                    ),
                    "StartReportExecution",
                    &PolicyDocument::new(vec![Statement::allow(
                        "StartReport",
                        &[actions::STATES_START_EXECUTION],
                        vec![context.backends.state_machine.reference()],
                    )]),
                ),
                Attributes::default().suppress(&[iam::INLINE_POLICY]),
            )?;
            // Started: 202. A 4xx of StartExecution is 503 (throttled) unless its
            // template says 409 (name taken) or 502; a 5xx is 503. The 503s carry
            // `Retry-After`.
            apigateway::Method! {
                authorization_type: authorization_type,
                http_method: route.method,
                integration: apigateway::method::Integration! {
                    credentials: start_role.arn(),
                    integration_http_method: "POST",
                    integration_responses: vec![
                        integration_response(None, 202, &request_template::started_response(), false),
                        integration_response(Some("4\\d{2}"), 503, request_template::START_REFUSED_RESPONSE, true),
                        integration_response(Some("5\\d{2}"), 503, request_template::START_UNAVAILABLE_RESPONSE, true),
                    ],
                    passthrough_behavior: "NEVER",
                    request_templates: BTreeMap::from([(JSON.to_owned(), request_template::start_execution(context.backends.state_machine))]),
                    r#type: "AWS",
                    uri: integration_uri(Sub::new().text("states:action/StartExecution")),
                },
                method_responses: START_EXECUTION_STATUSES
                    .into_iter()
                    .map(|status| method_response(route, status))
                    .collect::<Vec<_>>(),
                resource_id: resource.reference(),
                rest_api_id: context.api.reference(),
            }
        }
    };
    method.authorizer_id = Some(authorizer_id);
    method.operation_name = Some(route.operation.into());
    if !route.parameters.is_empty() {
        method.request_parameters = Some(request_parameters(route));
    }
    if let Some(body) = route.request {
        let Body::Dragon = body else {
            return Err(StackError::RequestModel {
                route: format!("{} {}", route.method, route.path),
            });
        };
        method.request_models = Some(BTreeMap::from([(
            JSON.to_owned(),
            context.model.reference(),
        )]));
        method.request_validator_id = Some(context.body_validator.reference());
    }
    Ok(template.add(&id, method)?)
}

/// Adds the API, its resources and methods from the route table, its deployment and
/// stage.
pub fn add(
    template: &mut Template,
    parameters: &Parameters,
    backends: &Backends,
) -> Result<Api, StackError> {
    let name = Sub::new().pseudo(Pseudo::StackName).text("-dragons");
    let rest_api = add_rest_api(template, &name)?;
    let api_id = rest_api.reference();
    let context = MethodContext {
        api: &rest_api,
        authorizer: &add_authorizer(template, &api_id, backends)?,
        model: &add_dragon_model(template, &api_id)?,
        body_validator: &add_body_validator(template, &api_id)?,
        backends,
    };
    let table = routes::all();
    let resources = add_resources(template, &rest_api, &table)?;
    let methods = add_methods(template, &table, &resources, &context)?;
    let responses = add_gateway_responses(template, &api_id)?;
    // Whatever the deployment serves: a change to any of them redeploys.
    let api_parts: BTreeSet<String> = [
        rest_api.id(),
        context.authorizer.id(),
        context.model.id(),
        context.body_validator.id(),
    ]
    .into_iter()
    .chain(resources.values().map(Handle::id))
    .chain(methods.iter().map(Handle::id))
    .chain(responses.iter().map(Handle::id))
    .map(str::to_owned)
    .collect();
    let deployment = add_deployment(template, &api_id, &api_parts, &methods)?;
    let stage = add_stage(template, parameters, api_id, &deployment)?;
    add_account_logging_role(template, parameters)?;
    Ok(Api {
        rest_api,
        stage,
        name,
    })
}

/// The regional REST API itself.
fn add_rest_api(
    template: &mut Template,
    name: &Sub,
) -> Result<Handle<apigateway::RestApi_>, TemplateError> {
    template.add(
        "DragonsApi",
        apigateway::RestApi! {
            description: "Dragons: list (GET) and report (POST) dragons.",
            endpoint_configuration: apigateway::restapi::EndpointConfiguration! { types: vec!["REGIONAL".into()] },
            name: name.clone().build(),
        },
    )
}

/// The authorizer that checks a Cognito ID token against the user pool.
fn add_authorizer(
    template: &mut Template,
    api_id: &ExpString,
    backends: &Backends,
) -> Result<Handle<apigateway::Authorizer_>, TemplateError> {
    template.add(
        "CognitoAuthorizer",
        apigateway::Authorizer! {
            identity_source: "method.request.header.Authorization",
            name: "cognito-id-token",
            provider_ar_ns: vec![backends.auth.user_pool.arn()],
            rest_api_id: api_id.clone(),
            r#type: "COGNITO_USER_POOLS",
        },
    )
}

/// The request model of a reported dragon, from the contract's JSON Schema.
fn add_dragon_model(
    template: &mut Template,
    api_id: &ExpString,
) -> Result<Handle<apigateway::Model_>, TemplateError> {
    template.add(
        "DragonModel",
        apigateway::Model! {
            content_type: JSON,
            description: "A reported dragon (generated from the Rust Dragon type).",
            name: "Dragon",
            rest_api_id: api_id.clone(),
            schema: dragon_schema(),
        },
    )
}

/// The validator that checks request bodies against their model.
fn add_body_validator(
    template: &mut Template,
    api_id: &ExpString,
) -> Result<Handle<apigateway::RequestValidator_>, TemplateError> {
    template.add(
        "BodyValidator",
        apigateway::RequestValidator! {
            name: "body",
            rest_api_id: api_id.clone(),
            validate_request_body: true,
            validate_request_parameters: false,
        },
    )
}

/// One resource for each path of the route table (and each path above one), by path.
fn add_resources(
    template: &mut Template,
    rest_api: &Handle<apigateway::RestApi_>,
    table: &[Route],
) -> Result<BTreeMap<String, Handle<apigateway::Resource_>>, TemplateError> {
    let api_id = rest_api.reference();
    let mut resources: BTreeMap<String, Handle<apigateway::Resource_>> = BTreeMap::new();
    for path in routes::resource_paths(table) {
        let (parent_path, part) = path.rsplit_once('/').unwrap_or(("", &path));
        let parent_id = match resources.get(parent_path) {
            Some(parent) => parent.reference(),
            None => rest_api.root_resource_id(),
        };
        let resource = template.add(
            &format!("{}Resource", id_stem(&path)),
            apigateway::Resource! {
                parent_id: parent_id,
                path_part: part,
                rest_api_id: api_id.clone(),
            },
        )?;
        resources.insert(path, resource);
    }
    Ok(resources)
}

/// Each route's method, and the CORS preflight of each path a route is on.
fn add_methods(
    template: &mut Template,
    table: &[Route],
    resources: &BTreeMap<String, Handle<apigateway::Resource_>>,
    context: &MethodContext,
) -> Result<Vec<Handle<apigateway::Method_>>, StackError> {
    let api_id = context.api.reference();
    let mut methods = Vec::new();
    for route in table {
        let Some(resource) = resources.get(&route.path) else {
            continue;
        };
        methods.push(add_route(template, route, resource, context)?);
    }
    for (path, resource) in resources {
        if table.iter().any(|route| &route.path == path) {
            let allowed = routes::allowed_methods(table, path);
            let id = format!("Options{}Method", id_stem(path));
            methods.push(preflight(template, &id, &api_id, resource, &allowed)?);
        }
    }
    Ok(methods)
}

/// API Gateway's own 4xx and 5xx answers, with the CORS origin header.
fn add_gateway_responses(
    template: &mut Template,
    api_id: &ExpString,
) -> Result<Vec<Handle<apigateway::GatewayResponse_>>, TemplateError> {
    let mut responses = Vec::new();
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
        responses.push(response);
    }
    Ok(responses)
}

/// The deployment, its logical id a fingerprint of `api_parts` so that a change to
/// the API makes a new one.
fn add_deployment(
    template: &mut Template,
    api_id: &ExpString,
    api_parts: &BTreeSet<String>,
    methods: &[Handle<apigateway::Method_>],
) -> Result<Handle<apigateway::Deployment_>, TemplateError> {
    template.add_with(
        &format!("ApiDeployment{}", template.fingerprint(api_parts)),
        apigateway::Deployment! {
            description: "Dragons API (the logical id changes with the API, so updates redeploy)",
            rest_api_id: api_id.clone(),
        },
        methods
            .iter()
            .fold(Attributes::default(), |attributes, method| {
                attributes.after(method)
            }),
    )
}

/// The stage: access logs, metrics, throttling and tracing.
fn add_stage(
    template: &mut Template,
    parameters: &Parameters,
    api_id: ExpString,
    deployment: &Handle<apigateway::Deployment_>,
) -> Result<Handle<apigateway::Stage_>, TemplateError> {
    let access_logs = super::logging::add(template, ids::API_ACCESS_LOG_GROUP)?;
    template.add_with(
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
            stage_name: parameters.api.stage.reference(),
            tracing_enabled: true,
        },
        Attributes::skipping(&[CACHE_SKIP]).suppress(&[GuardSuppression {
            rule: "API_GW_CACHE_ENABLED_AND_ENCRYPTED",
            reason: CACHE_SKIP.reason,
        }]),
    )
}

/// Under `CreateApiGatewayAccountRole`: the account-wide role API Gateway writes
/// stage logs with, and the account setting that points at it.
fn add_account_logging_role(
    template: &mut Template,
    parameters: &Parameters,
) -> Result<(), TemplateError> {
    let condition = || Attributes::default().when(&parameters.api.create_api_gateway_account);
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
