//! Least privilege, read from the template: every role's actions are exactly those
//! its workload needs, each on the resources of this stack that it needs them on.

use std::collections::{BTreeMap, BTreeSet};

use dragons_contract::data_store::DataStore;
use serde_json::Value;

use crate::util::{referenced, resolved, resources_of_type, strings, template};

/// Actions AWS offers no resource-level permission for: the only ones allowed on `*`.
const UNSCOPED: [&str; 12] = [
    // X-Ray tracing (Lambda active tracing, Step Functions tracing).
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    // Step Functions' vended log delivery to CloudWatch Logs.
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
];

/// What a Lambda does to the data: per action, on the S3 store (the data object, its
/// names index, the bucket), and on the DynamoDB store (`DragonsTable`, its index
/// `DragonsTable/index/family-index`).
struct DataActions {
    objects: &'static [&'static str],
    names: &'static [&'static str],
    lists: &'static [&'static str],
    table: &'static [&'static str],
    index: &'static [&'static str],
}

impl DataActions {
    /// A Lambda that does not touch the data.
    const NONE: Self = Self {
        objects: &[],
        names: &[],
        lists: &[],
        table: &[],
        index: &[],
    };
}

/// The data object (`${DataBucket.Arn}/${DataObjectKey}`).
const DATA_OBJECT: &str = "DataBucket/DataObjectKey";
/// Its names index (`${DataBucket.Arn}/${DataObjectKey}.names/*`).
const NAMES_INDEX: &str = "DataBucket/DataObjectKey.names/*";

/// Per role: the assuming service, and per action the stack resources it may touch
/// (`*` for the unscoped actions above), on a stack whose data lives in `store`.
fn expected(
    store: DataStore,
) -> BTreeMap<&'static str, (&'static str, BTreeMap<&'static str, BTreeSet<&'static str>>)> {
    let set = |ids: &[&'static str]| ids.iter().copied().collect::<BTreeSet<_>>();
    // The data object and its names index, as above; the bucket itself `DataBucket`.
    let lambda = |log_group: &'static str, data: DataActions| {
        let mut actions = BTreeMap::from([
            ("logs:CreateLogStream", set(&[log_group])),
            ("logs:PutLogEvents", set(&[log_group])),
            ("xray:PutTraceSegments", set(&["*"])),
            ("xray:PutTelemetryRecords", set(&["*"])),
        ]);
        let reads_data = !data.objects.is_empty() || !data.table.is_empty();
        if !reads_data {
        } else if store == DataStore::S3 {
            actions.insert(
                "ssm:GetParameters",
                set(&["BucketNameParameter", "FileNameParameter"]),
            );
            for action in data.objects {
                actions.insert(*action, set(&[DATA_OBJECT]));
            }
            for action in data.names {
                actions.entry(*action).or_default().insert(NAMES_INDEX);
            }
            for action in data.lists {
                actions.insert(*action, set(&["DataBucket"]));
            }
        } else {
            actions.insert("ssm:GetParameter", set(&["TableNameParameter"]));
            for action in data.table {
                actions.insert(*action, set(&["DragonsTable"]));
            }
            for action in data.index {
                actions.insert(*action, set(&["DragonsTable/index/family-index"]));
            }
        }
        ("lambda.amazonaws.com", actions)
    };
    let mut machine = BTreeMap::from([
        (
            // The functions' `live` aliases (`Ref`: the alias ARN), only those.
            "lambda:InvokeFunction",
            set(&["ValidateDragonAlias", "AddDragonAlias"]),
        ),
        ("sns:Publish", set(&["DragonReportsTopic"])),
    ]);
    for action in UNSCOPED {
        machine.insert(action, set(&["*"]));
    }
    let api_logs = [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
        "logs:GetLogEvents",
        "logs:FilterLogEvents",
    ]
    .into_iter()
    .map(|action| (action, set(&["log-group:*"])))
    .collect();
    BTreeMap::from([
        (
            "ListDragonsRole",
            lambda(
                "ListDragonsLogGroup",
                DataActions {
                    objects: &["s3:GetObject", "s3:GetObjectVersion"],
                    names: &[],
                    lists: &["s3:ListBucket"],
                    table: &["dynamodb:GetItem", "dynamodb:Scan"],
                    index: &["dynamodb:Query"],
                },
            ),
        ),
        (
            "ValidateDragonRole",
            lambda(
                "ValidateDragonLogGroup",
                DataActions {
                    objects: &["s3:GetObject"],
                    names: &["s3:GetObject"],
                    lists: &["s3:ListBucket"],
                    table: &["dynamodb:GetItem"],
                    index: &[],
                },
            ),
        ),
        (
            "AddDragonRole",
            lambda(
                "AddDragonLogGroup",
                DataActions {
                    // PutObject covers the multipart upload of a server-side append.
                    objects: &["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                    names: &["s3:GetObject", "s3:PutObject"],
                    lists: &["s3:ListBucket"],
                    table: &["dynamodb:PutItem"],
                    index: &[],
                },
            ),
        ),
        ("StateMachineRole", ("states.amazonaws.com", machine)),
        ("ReportStatusRole", {
            // The machine's executions: `…:execution:${ReportDragonStateMachine.Name}:*`.
            let (service, mut actions) = lambda("ReportStatusLogGroup", DataActions::NONE);
            actions.insert(
                "states:DescribeExecution",
                set(&["ReportDragonStateMachine:*"]),
            );
            (service, actions)
        }),
        (
            "ReportDragonStartExecutionRole",
            (
                "apigateway.amazonaws.com",
                BTreeMap::from([("states:StartExecution", set(&["ReportDragonStateMachine"]))]),
            ),
        ),
        (
            "ApiGatewayCloudWatchRole",
            ("apigateway.amazonaws.com", api_logs),
        ),
        // AWS's managed policy only (checked below), no statement of ours.
        (
            "CodeDeployRole",
            ("codedeploy.amazonaws.com", BTreeMap::new()),
        ),
    ])
}

/// The one role with a managed policy: CodeDeploy's, with AWS's policy for Lambda
/// deployments without hooks.
const CODE_DEPLOY_ROLE: &str = "CodeDeployRole";

/// What one resource entry of a statement scopes to: `*`, the API Gateway log-group
/// wildcard, or the stack resources it references.
fn scopes(resource: &Value) -> BTreeSet<String> {
    match resource {
        Value::String(s) if s == "*" => BTreeSet::from(["*".to_owned()]),
        other => {
            let ids: BTreeSet<String> = referenced(other)
                .into_iter()
                .filter(|id| !id.starts_with("AWS::"))
                .collect();
            if ids.is_empty() && other.to_string().contains(":log-group:*") {
                BTreeSet::from(["log-group:*".to_owned()])
            } else if let Some(pattern) = other["Fn::Sub"].as_str() {
                BTreeSet::from([sub_scope(pattern)])
            } else {
                ids
            }
        }
    }
}

/// A `Fn::Sub` ARN from its first stack variable on, each variable written as its
/// resource or parameter: `${X.Arn}/*` scopes to `X/*`, `${X.Arn}/${Key}.names/*` to
/// `X/Key.names/*`, `arn:…:execution:${X.Name}:*` to `X:*`.
fn sub_scope(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        let (text, variable) = rest.split_at(start);
        let end = variable.find('}').unwrap();
        let name = variable[2..end].split('.').next().unwrap();
        if !name.starts_with("AWS::") {
            out.push_str(if out.is_empty() { "" } else { text });
            out.push_str(name);
        }
        rest = &variable[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_role_has_exactly_the_actions_and_resources_it_needs_on_either_store() {
    for store in DataStore::ALL {
        for web in ["true", "false"] {
            let overrides = [
                ("DataStore", store.name()),
                ("CreateApiGatewayAccount", "true"),
                ("WebApp", web),
            ];
            roles_have_exactly(&resolved(&template(), &overrides), store);
        }
    }
}

fn roles_have_exactly(template: &Value, store: DataStore) {
    let roles = resources_of_type(template, "AWS::IAM::Role");
    let expected = expected(store);
    let found: BTreeSet<&str> = roles.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        found,
        expected.keys().copied().collect(),
        "the stack's roles"
    );

    for (id, role) in roles {
        let (service, wanted) = &expected[id.as_str()];
        let properties = &role["Properties"];
        if id == CODE_DEPLOY_ROLE {
            assert_eq!(
                properties["ManagedPolicyArns"],
                serde_json::json!([{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited" }]),
                "{id}: the Limited policy: no S3, no hooks but CodeDeployHook_*"
            );
            assert!(properties.get("Policies").is_none(), "{id}");
        } else {
            assert!(
                properties.get("ManagedPolicyArns").is_none(),
                "{id}: managed policies grant more than needed"
            );
        }
        let trust = &properties["AssumeRolePolicyDocument"]["Statement"];
        assert_eq!(trust.as_array().unwrap().len(), 1, "{id}");
        assert_eq!(
            trust[0]["Principal"]["Service"], *service,
            "{id}: trusted service"
        );
        assert_eq!(
            trust[0].get("Condition"),
            trust_condition(service).as_ref(),
            "{id}: confused-deputy conditions"
        );

        let mut granted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut listed = BTreeSet::new();
        for policy in properties["Policies"].as_array().into_iter().flatten() {
            for statement in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                assert_eq!(statement["Effect"], "Allow", "{id}");
                assert!(
                    statement.get("NotAction").is_none() && statement.get("NotResource").is_none(),
                    "{id}"
                );
                let resources: BTreeSet<String> = statement["Resource"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(scopes)
                    .collect();
                for action in strings(&statement["Action"]) {
                    assert!(!action.contains('*'), "{id}: wildcard action {action}");
                    // Listing is allowed only for the data object's own key and its
                    // names index: then S3 answers a missing object (or a name with no
                    // marker) with 404, not 403, and nothing else.
                    let condition = statement.get("Condition");
                    if action.starts_with("s3:ListBucket") {
                        let data_key = serde_json::json!({
                            "StringEquals": { "s3:prefix": { "Ref": "DataObjectKey" } }
                        });
                        let names_index = serde_json::json!({
                            "StringLike": { "s3:prefix": { "Fn::Sub": "${DataObjectKey}.names/*" } }
                        });
                        let reads_names = wanted
                            .get("s3:GetObject")
                            .is_some_and(|ids| ids.contains(NAMES_INDEX));
                        assert!(
                            condition == Some(&data_key)
                                || (reads_names && condition == Some(&names_index)),
                            "{id}: {action} must be scoped to the data key (or its names index): {condition:?}"
                        );
                        listed.insert(condition.map(Value::to_string));
                    } else {
                        assert_eq!(condition, None, "{id}: {action}");
                    }
                    if resources.contains("*") {
                        assert!(
                            UNSCOPED.contains(&action.as_str()),
                            "{id}: {action} on * although AWS can scope it"
                        );
                    }
                    granted
                        .entry(action)
                        .or_default()
                        .extend(resources.iter().cloned());
                }
            }
        }
        let wanted: BTreeMap<String, BTreeSet<String>> = wanted
            .iter()
            .map(|(action, ids)| {
                (
                    (*action).to_owned(),
                    ids.iter().map(|i| (*i).to_owned()).collect(),
                )
            })
            .collect();
        assert_eq!(granted, wanted, "{id}: actions and their resources");
        if wanted.contains_key("s3:ListBucket") {
            let reads_names = wanted["s3:GetObject"].contains(NAMES_INDEX);
            assert_eq!(
                listed.len(),
                1 + usize::from(reads_names),
                "{id}: lists its data key, and its names index when it reads that"
            );
        }
    }
}

/// The trust policy's `Condition` per service: the confused-deputy keys where the
/// service documents them for the roles it assumes (Step Functions: the state
/// machine's ARN, built from its name so the role does not depend on the machine),
/// none where it documents none (Lambda execution roles, API Gateway's roles).
fn trust_condition(service: &str) -> Option<Value> {
    let source = match service {
        "states.amazonaws.com" => {
            "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-report-dragon"
        }
        // CodeDeploy: this application's deployment groups.
        "codedeploy.amazonaws.com" => {
            "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:${CodeDeployApplication}/*"
        }
        _ => return None,
    };
    Some(serde_json::json!({
        "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } },
        "ArnLike": { "aws:SourceArn": { "Fn::Sub": source } },
    }))
}

#[test]
fn the_state_machine_role_trusts_only_its_own_machine_by_name() {
    let template = template();
    let machine = &template["Resources"]["ReportDragonStateMachine"]["Properties"];
    assert_eq!(
        machine["StateMachineName"]["Fn::Sub"], "${AWS::StackName}-report-dragon",
        "the trust condition's ARN names this machine"
    );
    assert!(
        !referenced(&template["Resources"]["StateMachineRole"])
            .contains("ReportDragonStateMachine"),
        "a reference from the role to the machine that uses it would be a cycle"
    );
}

/// The statements of the bucket policy `id`.
fn bucket_policy(template: &Value, id: &str) -> Vec<Value> {
    template["Resources"][id]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone()
}

fn denies_only_plain_http(statement: &Value) {
    assert_eq!(statement["Effect"], "Deny");
    assert_eq!(statement["Principal"], "*");
    assert_eq!(
        statement["Condition"],
        serde_json::json!({ "Bool": { "aws:SecureTransport": "false" } })
    );
}

#[test]
fn bucket_policies_deny_plain_http_and_allow_only_log_delivery_for_the_data_bucket() {
    let template = template();
    let policies: BTreeSet<String> = resources_of_type(&template, "AWS::S3::BucketPolicy")
        .into_iter()
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(
        policies,
        BTreeSet::from([
            "DataBucketPolicy".into(),
            "AccessLogBucketPolicy".into(),
            "SiteBucketPolicy".into(),
        ])
    );
    let data = bucket_policy(&template, "DataBucketPolicy");
    assert_eq!(data.len(), 1);
    denies_only_plain_http(&data[0]);

    let logs = bucket_policy(&template, "AccessLogBucketPolicy");
    assert_eq!(logs.len(), 2);
    let deliver = &logs[0];
    assert_eq!(deliver["Effect"], "Allow");
    assert_eq!(
        deliver["Principal"],
        serde_json::json!({ "Service": "logging.s3.amazonaws.com" })
    );
    assert_eq!(deliver["Action"], serde_json::json!(["s3:PutObject"]));
    assert_eq!(
        deliver["Resource"],
        serde_json::json!([{ "Fn::Sub": "${AccessLogBucket.Arn}/data-bucket/*" }])
    );
    // S3 documents both keys for log delivery: only the data bucket, only this account.
    assert_eq!(
        deliver["Condition"],
        serde_json::json!({
            "ArnLike": { "aws:SourceArn": { "Fn::GetAtt": ["DataBucket", "Arn"] } },
            "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } },
        })
    );
    denies_only_plain_http(&logs[1]);
    assert_eq!(
        template["Resources"]["DataBucket"]["Properties"]["LoggingConfiguration"],
        serde_json::json!({
            "DestinationBucketName": { "Ref": "AccessLogBucket" },
            "LogFilePrefix": "data-bucket/",
        })
    );
}

#[test]
fn only_this_stacks_distribution_may_read_the_site_and_only_over_tls() {
    let template = template();
    let policy = &template["Resources"]["SiteBucketPolicy"];
    assert_eq!(policy["Condition"], "UseWebApp");
    let properties = &policy["Properties"];
    assert_eq!(
        properties["Bucket"],
        serde_json::json!({ "Ref": "SiteBucket" })
    );
    let statements = properties["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(statements.len(), 2, "{statements:#?}");
    let deny = &statements[0];
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(deny["Principal"], "*");
    assert_eq!(deny["Condition"]["Bool"]["aws:SecureTransport"], "false");
    let allow = &statements[1];
    assert_eq!(allow["Effect"], "Allow");
    assert_eq!(
        allow["Principal"],
        serde_json::json!({ "Service": "cloudfront.amazonaws.com" })
    );
    assert_eq!(
        strings(&allow["Action"]),
        BTreeSet::from(["s3:GetObject".to_owned()])
    );
    assert_eq!(
        allow["Resource"],
        serde_json::json!([{ "Fn::Sub": "${SiteBucket.Arn}/*" }]),
        "the site's objects only: no listing, no writing"
    );
    assert_eq!(
        allow["Condition"],
        serde_json::json!({ "StringEquals": { "AWS:SourceArn": {
            "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}"
        } } }),
        "the confused-deputy guard: this stack's distribution, not any of CloudFront's"
    );
    // The bucket is private whatever the policy says.
    let bucket = &template["Resources"]["SiteBucket"]["Properties"];
    for setting in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            bucket["PublicAccessBlockConfiguration"][setting], true,
            "{setting}"
        );
    }
    assert!(bucket["BucketEncryption"].is_object());
}

#[test]
fn the_api_may_invoke_each_lambdas_live_alias_only_from_its_own_get_method() {
    let template = template();
    let permissions = resources_of_type(&template, "AWS::Lambda::Permission");
    let found: BTreeMap<String, String> = permissions
        .iter()
        .map(|(_, permission)| {
            let properties = &permission["Properties"];
            assert_eq!(properties["Principal"], "apigateway.amazonaws.com");
            assert_eq!(properties["Action"], "lambda:InvokeFunction");
            let function = referenced(&properties["FunctionName"]);
            assert_eq!(function.len(), 1, "{properties}");
            let source = properties["SourceArn"]["Fn::Sub"].as_str().unwrap();
            (
                function.into_iter().next().unwrap(),
                source.rsplit_once("${DragonsApi}").unwrap().1.to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        BTreeMap::from([
            ("ListDragonsAlias".to_owned(), "/*/GET/dragons".to_owned()),
            (
                "ReportStatusAlias".to_owned(),
                "/*/GET/dragons/reports/*".to_owned()
            ),
        ])
    );
}

#[test]
fn report_status_may_read_only_the_executions_of_this_stacks_machine() {
    let template = template();
    let role = &template["Resources"]["ReportStatusRole"]["Properties"];
    let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let reads: Vec<&Value> = statements
        .iter()
        .filter(|statement| strings(&statement["Action"]).contains("states:DescribeExecution"))
        .collect();
    assert_eq!(reads.len(), 1, "{statements:#?}");
    assert_eq!(
        reads[0]["Resource"],
        serde_json::json!([{ "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${ReportDragonStateMachine.Name}:*" }])
    );
}
