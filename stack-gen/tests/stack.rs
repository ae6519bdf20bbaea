//! The built stack's wiring: what the design requires of each part, read from the
//! rendered template.

// Test helpers panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use stack_gen::stack;

fn template() -> Value {
    stack::build().unwrap().template.to_value().unwrap()
}

fn resource<'a>(template: &'a Value, id: &str) -> &'a Value {
    let resource = &template["Resources"][id];
    assert!(resource.is_object(), "no resource {id}");
    resource
}

fn ids_of_type(template: &Value, kind: &str) -> Vec<String> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn functions_are_arm64_al2023_from_cargo_lambda_zips() {
    let template = template();
    let functions = ids_of_type(&template, "AWS::Lambda::Function");
    assert_eq!(functions.len(), 4);
    for (id, binary) in [
        ("ListDragonsFunction", "list-dragons"),
        ("ValidateDragonFunction", "validate-dragon"),
        ("AddDragonFunction", "add-dragon"),
        ("ReportStatusFunction", "report-status"),
    ] {
        let properties = &resource(&template, id)["Properties"];
        assert_eq!(properties["Runtime"], "provided.al2023", "{id}");
        assert_eq!(
            properties["Architectures"],
            serde_json::json!(["arm64"]),
            "{id}"
        );
        assert_eq!(properties["Handler"], "bootstrap", "{id}");
        assert_eq!(
            properties["Code"],
            format!("../target/lambda/{binary}/bootstrap.zip"),
            "{id}"
        );
        assert_eq!(properties["LoggingConfig"]["LogFormat"], "JSON", "{id}");
        assert_eq!(
            properties["LoggingConfig"]["LogGroup"]["Ref"],
            format!("{}LogGroup", id.trim_end_matches("Function"))
        );
    }
}

#[test]
fn both_methods_require_the_cognito_authorizer() {
    let template = template();
    for id in ["ListDragonsMethod", "ReportDragonMethod"] {
        let properties = &resource(&template, id)["Properties"];
        assert_eq!(
            properties["AuthorizationType"], "COGNITO_USER_POOLS",
            "{id}"
        );
        assert_eq!(
            properties["AuthorizerId"]["Ref"], "CognitoAuthorizer",
            "{id}"
        );
    }
    let authorizer = &resource(&template, "CognitoAuthorizer")["Properties"];
    assert_eq!(authorizer["ProviderARNs"][0]["Fn::GetAtt"][0], "UserPool");
}

#[test]
fn post_validates_the_body_against_the_generated_model_and_answers_202() {
    let template = template();
    let post = &resource(&template, "ReportDragonMethod")["Properties"];
    assert_eq!(
        post["RequestModels"]["application/json"]["Ref"],
        "DragonModel"
    );
    assert_eq!(post["RequestValidatorId"]["Ref"], "BodyValidator");
    let integration = &post["Integration"];
    assert_eq!(integration["Type"], "AWS");
    assert_eq!(integration["PassthroughBehavior"], "NEVER");
    assert!(
        integration["Uri"]["Fn::Sub"]
            .as_str()
            .unwrap()
            .ends_with(":states:action/StartExecution")
    );
    let default_response = integration["IntegrationResponses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r.get("SelectionPattern").is_none())
        .unwrap();
    assert_eq!(default_response["StatusCode"], "202");
    let model = &resource(&template, "DragonModel")["Properties"]["Schema"];
    assert_eq!(*model, dragons_contract::schema::dragon_schema());
}

#[test]
fn deployment_depends_on_every_method_and_feeds_a_logged_throttled_traced_stage() {
    let template = template();
    let deployments = ids_of_type(&template, "AWS::ApiGateway::Deployment");
    assert_eq!(deployments.len(), 1);
    let deployment = resource(&template, &deployments[0]);
    let methods = ids_of_type(&template, "AWS::ApiGateway::Method");
    assert_eq!(deployment["DependsOn"], serde_json::json!(methods));
    let stage = &resource(&template, "ApiStage")["Properties"];
    assert_eq!(stage["DeploymentId"]["Ref"], deployments[0]);
    assert_eq!(
        stage["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0],
        "ApiAccessLogGroup"
    );
    assert!(
        stage["MethodSettings"][0]["ThrottlingRateLimit"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert_eq!(stage["TracingEnabled"], true);
}

#[test]
fn data_bucket_is_retained_encrypted_versioned_and_private() {
    let template = template();
    let bucket = resource(&template, "DataBucket");
    assert_eq!(bucket["DeletionPolicy"], "Retain");
    assert_eq!(bucket["UpdateReplacePolicy"], "Retain");
    let properties = &bucket["Properties"];
    assert_eq!(properties["VersioningConfiguration"]["Status"], "Enabled");
    assert!(properties["BucketEncryption"].is_object());
    let block = &properties["PublicAccessBlockConfiguration"];
    for flag in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(block[flag], true, "{flag}");
    }
    // Replaced versions expire, and so do the parts of an add's (or an export's)
    // multipart upload that a stopped function left: neither grows with the adds.
    let rules = properties["LifecycleConfiguration"]["Rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["Status"], "Enabled");
    assert!(rules[0].get("Prefix").is_none() && rules[0].get("Filter").is_none());
    assert_eq!(
        rules[0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
        1
    );
    assert_eq!(rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"], 1);
}

#[test]
fn parameters_and_outputs_are_the_documented_ones() {
    let template = template();
    let keys = |section: &str| -> Vec<String> {
        template[section]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        keys("Parameters"),
        [
            "AuthDomainPrefix",
            "BucketParameterName",
            "CodeVersion",
            "CreateApiGatewayAccount",
            "DataObjectKey",
            "DataStore",
            "DeploymentConfig",
            "FileParameterName",
            "Mfa",
            "NotificationEmail",
            "OpsEmail",
            "QueryEngine",
            "SelfSignUp",
            "StageName",
            "TableParameterName",
            "WebApp"
        ]
    );
    assert_eq!(
        keys("Outputs"),
        [
            "ApiUrl",
            "AuthUrl",
            "DataBucketName",
            "DataTableName",
            "OpsTopicArn",
            "ReportsTopicArn",
            "SiteApiUrl",
            "SiteBucketName",
            "SiteDistributionId",
            "SiteUrl",
            "StateMachineArn",
            "UserPoolClientId",
            "UserPoolId"
        ]
    );
    assert_eq!(
        template["Parameters"]["QueryEngine"]["AllowedValues"],
        serde_json::json!(["auto", "s3-select", "scan"])
    );
    assert_eq!(
        template["Parameters"]["DataStore"]["AllowedValues"],
        serde_json::json!(["s3", "dynamodb"])
    );
    assert_eq!(
        template["Outputs"]["DataTableName"]["Condition"],
        "UseDynamoDb"
    );
    assert_eq!(
        template["Parameters"]["WebApp"]["AllowedValues"],
        serde_json::json!(["true", "false"])
    );
    assert_eq!(template["Parameters"]["WebApp"]["Default"], "true");
    for output in [
        "AuthUrl",
        "SiteApiUrl",
        "SiteBucketName",
        "SiteDistributionId",
        "SiteUrl",
    ] {
        assert_eq!(
            template["Outputs"][output]["Condition"], "UseWebApp",
            "{output}"
        );
    }
    assert_eq!(
        resource(&template, "NotificationEmailSubscription")["Condition"],
        "HasNotificationEmail"
    );
}

#[test]
fn ssm_parameters_are_named_per_stack_unless_given() {
    let template = template();
    for (parameter, resource_id, leaf) in [
        (
            "BucketParameterName",
            "BucketNameParameter",
            "dragon_data_bucket_name",
        ),
        (
            "FileParameterName",
            "FileNameParameter",
            "dragon_data_file_name",
        ),
        (
            "TableParameterName",
            "TableNameParameter",
            "dragon_data_table_name",
        ),
    ] {
        assert_eq!(
            template["Parameters"][parameter]["Default"], "",
            "{parameter}"
        );
        assert_eq!(
            resource(&template, resource_id)["Properties"]["Name"],
            serde_json::json!({ "Fn::If": [
                format!("Has{parameter}"),
                { "Ref": parameter },
                { "Fn::Sub": format!("/${{AWS::StackName}}/{leaf}") },
            ] }),
            "{resource_id}"
        );
    }
    let bucket_parameter = &resource(&template, "BucketNameParameter")["Properties"];
    assert_eq!(bucket_parameter["Value"]["Ref"], "DataBucket");
}

/// The full path of the API resource `id`, from its `PathPart`s up to the root.
fn resource_path(template: &Value, id: &str) -> String {
    let properties = &resource(template, id)["Properties"];
    let part = properties["PathPart"].as_str().unwrap();
    match properties["ParentId"]["Ref"].as_str() {
        Some(parent) => format!("{}/{part}", resource_path(template, parent)),
        None => format!("/{part}"),
    }
}

#[test]
fn the_api_has_exactly_the_route_table_s_methods_and_a_preflight_per_route_resource() {
    let template = template();
    let mut deployed: Vec<(String, String)> = Vec::new();
    let mut preflights: Vec<(String, String)> = Vec::new();
    for id in ids_of_type(&template, "AWS::ApiGateway::Method") {
        let properties = &resource(&template, &id)["Properties"];
        let path = resource_path(&template, properties["ResourceId"]["Ref"].as_str().unwrap());
        let method = properties["HttpMethod"].as_str().unwrap().to_owned();
        if method == "OPTIONS" {
            let allowed = properties["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
                ["method.response.header.Access-Control-Allow-Methods"]
                .as_str()
                .unwrap()
                .trim_matches('\'')
                .to_owned();
            preflights.push((path, allowed));
        } else {
            deployed.push((method, path));
        }
    }
    let table = dragons_contract::routes::all();
    let mut expected: Vec<(String, String)> = table
        .iter()
        .map(|route| (route.method.to_owned(), route.path.clone()))
        .collect();
    deployed.sort();
    expected.sort();
    assert_eq!(deployed, expected);
    let mut expected_preflights: Vec<(String, String)> = table
        .iter()
        .map(|route| route.path.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|path| {
            let allowed = dragons_contract::routes::allowed_methods(&table, &path);
            (path, allowed)
        })
        .collect();
    preflights.sort();
    expected_preflights.sort();
    assert_eq!(preflights, expected_preflights);
}

#[test]
fn the_environment_files_fit_the_template_and_differ_in_what_they_should() {
    use stack_gen::environment::Environment;
    let template = template();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let load = |name: &str| {
        let environment = Environment::load(&root.join(format!("deploy/{name}.json"))).unwrap();
        environment.check(&template).unwrap();
        assert_eq!(environment.tags["environment"], name, "{name}");
        environment
    };
    let (test, prod) = (load("test"), load("prod"));
    assert_eq!(
        test.parameters.keys().collect::<Vec<_>>(),
        prod.parameters.keys().collect::<Vec<_>>(),
        "both environments set the same parameters, side by side"
    );
    assert_eq!(prod.parameters["Mfa"], "ON");
    assert_eq!(
        test.parameters["DeploymentConfig"],
        "CodeDeployDefault.LambdaAllAtOnce"
    );
    assert!(
        prod.parameters["DeploymentConfig"].contains("Canary"),
        "prod shifts a canary first"
    );
}

#[test]
fn every_function_is_invoked_through_its_live_alias_which_code_deploy_shifts() {
    let template = template();
    let functions = ids_of_type(&template, "AWS::Lambda::Function");
    assert_eq!(
        ids_of_type(&template, "AWS::Lambda::Alias").len(),
        functions.len()
    );
    assert_eq!(
        ids_of_type(&template, "AWS::CodeDeploy::Application").len(),
        1
    );
    for function in &functions {
        let stem = function.strip_suffix("Function").unwrap();
        let version = &resource(&template, &format!("{stem}Version"))["Properties"];
        assert_eq!(version["FunctionName"]["Ref"], function.as_str());
        let description = version["Description"]["Fn::Sub"].as_str().unwrap();
        assert!(
            description.contains("${CodeVersion}"),
            "{stem}: a new CodeVersion publishes a new version: {description}"
        );
        let alias_id = format!("{stem}Alias");
        let alias = resource(&template, &alias_id);
        assert_eq!(alias["Properties"]["Name"], "live");
        assert_eq!(
            alias["Properties"]["FunctionVersion"],
            serde_json::json!({ "Fn::GetAtt": [format!("{stem}Version"), "Version"] })
        );
        let group_id = format!("{stem}DeploymentGroup");
        assert_eq!(
            alias["UpdatePolicy"],
            serde_json::json!({ "CodeDeployLambdaAliasUpdate": {
                "ApplicationName": { "Ref": "CodeDeployApplication" },
                "DeploymentGroupName": { "Ref": group_id },
            } })
        );
        let group = &resource(&template, &group_id)["Properties"];
        assert_eq!(group["DeploymentConfigName"]["Ref"], "DeploymentConfig");
        assert_eq!(
            group["AutoRollbackConfiguration"],
            serde_json::json!({ "Enabled": true, "Events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] })
        );
        let alarms = group["AlarmConfiguration"]["Alarms"].as_array().unwrap();
        assert!(!alarms.is_empty(), "{stem}: rolls back on its alarms");
        assert_eq!(group["AlarmConfiguration"]["Enabled"], true);
        for alarm in alarms {
            let alarm = resource(&template, alarm["Name"]["Ref"].as_str().unwrap());
            let dimensions = alarm["Properties"]["Dimensions"].to_string();
            assert!(
                dimensions.contains(&format!("{{\"Ref\":\"{function}\"}}")),
                "{stem}: its own function's alarm: {dimensions}"
            );
        }
    }
    // Callers invoke the aliases, never a function's unqualified ARN.
    let invoked = |value: &Value| value.to_string();
    for method in ids_of_type(&template, "AWS::ApiGateway::Method") {
        let uri = invoked(&resource(&template, &method)["Properties"]["Integration"]["Uri"]);
        if uri.contains("lambda:path") {
            assert!(uri.contains("Alias}/invocations"), "{method}: {uri}");
        }
    }
    for permission in ids_of_type(&template, "AWS::Lambda::Permission") {
        let name = &resource(&template, &permission)["Properties"]["FunctionName"];
        assert!(
            name["Ref"].as_str().unwrap().ends_with("Alias"),
            "{permission}: {name}"
        );
    }
    let machine = &resource(&template, "ReportDragonStateMachine")["Properties"];
    for (_, value) in machine["DefinitionSubstitutions"].as_object().unwrap() {
        if value.to_string().contains("Dragon") && !value.to_string().contains("Topic") {
            assert!(value["Ref"].as_str().unwrap().ends_with("Alias"), "{value}");
        }
    }
}

#[test]
fn the_user_pool_is_protected_and_outlives_the_stack() {
    let template = template();
    let pool = resource(&template, "UserPool");
    assert_eq!(pool["DeletionPolicy"], "Retain");
    assert_eq!(pool["UpdateReplacePolicy"], "Retain");
    assert_eq!(pool["Properties"]["DeletionProtection"], "ACTIVE");
}

#[test]
fn the_ops_topic_is_encrypted_with_a_rotated_key_cloudwatch_may_use() {
    let template = template();
    let topic = resource(&template, "OpsTopic");
    assert_eq!(
        topic["Properties"]["KmsMasterKeyId"],
        serde_json::json!({ "Fn::GetAtt": ["OpsTopicKey", "Arn"] })
    );
    let key = &resource(&template, "OpsTopicKey")["Properties"];
    assert_eq!(key["EnableKeyRotation"], true);
    let statements = key["KeyPolicy"]["Statement"].as_array().unwrap();
    assert!(statements.iter().any(|statement| {
        statement["Effect"] == "Allow"
            && statement["Principal"]["Service"] == "cloudwatch.amazonaws.com"
            && statement["Action"] == serde_json::json!(["kms:Decrypt", "kms:GenerateDataKey*"])
    }));
    let subscription = resource(&template, "OpsEmailSubscription");
    assert_eq!(subscription["Condition"], "HasOpsEmail");
    assert_eq!(
        subscription["Properties"]["Endpoint"],
        serde_json::json!({ "Ref": "OpsEmail" })
    );
}
