//! Typed IAM policy documents: actions are a closed set of constants, resources are
//! typed expressions, so a policy names only what this stack defines.

use serde_json::{Map, Value, json};
use stratosphere::services::aws::iam;
use stratosphere::value::ExpString;

use crate::template::{Condition, GuardSuppression, Pseudo, Sub};

/// The registry's rule against inline policies: every role here has one on purpose.
pub const INLINE_POLICY: GuardSuppression = GuardSuppression {
    rule: "IAM_NO_INLINE_POLICY_CHECK",
    reason: "One role per workload, its one inline policy built from the same values as the resources it names; a managed policy would be a second resource to keep in step and could be attached to anything else.",
};

/// The registry's rule against `Resource: "*"`, for roles granted actions that AWS
/// offers no resource-level permission for.
pub const UNSCOPED_ACTIONS: GuardSuppression = GuardSuppression {
    rule: "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE",
    reason: "Only X-Ray tracing and Step Functions' log delivery are granted on *: AWS offers no resource-level permission for those actions (the least-privilege test checks that nothing else is).",
};

/// One IAM action, e.g. `s3:GetObject`; only the constants below exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Action(&'static str);

impl Action {
    /// The action's IAM name.
    pub fn name(self) -> &'static str {
        self.0
    }
}

/// The IAM actions this stack grants or denies.
pub mod actions {
    use super::Action;

    /// `s3:GetObject`
    pub const S3_GET_OBJECT: Action = Action("s3:GetObject");
    /// `s3:GetObjectVersion`
    pub const S3_GET_OBJECT_VERSION: Action = Action("s3:GetObjectVersion");
    /// `s3:PutObject`
    pub const S3_PUT_OBJECT: Action = Action("s3:PutObject");
    /// `s3:ListBucket`
    pub const S3_LIST_BUCKET: Action = Action("s3:ListBucket");
    /// `s3:AbortMultipartUpload`
    pub const S3_ABORT_MULTIPART_UPLOAD: Action = Action("s3:AbortMultipartUpload");
    /// `s3:*`, used only to deny plain-HTTP access.
    pub const S3_ALL: Action = Action("s3:*");
    /// `ssm:GetParameters`
    pub const SSM_GET_PARAMETERS: Action = Action("ssm:GetParameters");
    /// `ssm:GetParameter`
    pub const SSM_GET_PARAMETER: Action = Action("ssm:GetParameter");
    /// `dynamodb:GetItem`
    pub const DYNAMODB_GET_ITEM: Action = Action("dynamodb:GetItem");
    /// `dynamodb:PutItem`
    pub const DYNAMODB_PUT_ITEM: Action = Action("dynamodb:PutItem");
    /// `dynamodb:Query`
    pub const DYNAMODB_QUERY: Action = Action("dynamodb:Query");
    /// `dynamodb:Scan`
    pub const DYNAMODB_SCAN: Action = Action("dynamodb:Scan");
    /// `logs:CreateLogStream`
    pub const LOGS_CREATE_LOG_STREAM: Action = Action("logs:CreateLogStream");
    /// `logs:PutLogEvents`
    pub const LOGS_PUT_LOG_EVENTS: Action = Action("logs:PutLogEvents");
    /// `logs:CreateLogGroup`
    pub const LOGS_CREATE_LOG_GROUP: Action = Action("logs:CreateLogGroup");
    /// What CloudWatch Logs' vended log delivery needs of the service that delivers
    /// (Step Functions' execution logs): none of these take a resource ARN.
    pub const LOG_DELIVERY: [Action; 8] = [
        LOGS_CREATE_LOG_DELIVERY,
        LOGS_GET_LOG_DELIVERY,
        LOGS_UPDATE_LOG_DELIVERY,
        LOGS_DELETE_LOG_DELIVERY,
        LOGS_LIST_LOG_DELIVERIES,
        LOGS_PUT_RESOURCE_POLICY,
        LOGS_DESCRIBE_RESOURCE_POLICIES,
        LOGS_DESCRIBE_LOG_GROUPS,
    ];
    /// `logs:DescribeLogGroups`
    pub const LOGS_DESCRIBE_LOG_GROUPS: Action = Action("logs:DescribeLogGroups");
    /// `logs:DescribeLogStreams`
    pub const LOGS_DESCRIBE_LOG_STREAMS: Action = Action("logs:DescribeLogStreams");
    /// `logs:GetLogEvents`
    pub const LOGS_GET_LOG_EVENTS: Action = Action("logs:GetLogEvents");
    /// `logs:FilterLogEvents`
    pub const LOGS_FILTER_LOG_EVENTS: Action = Action("logs:FilterLogEvents");
    /// `logs:CreateLogDelivery` (vended log delivery: no resource-level permissions)
    pub const LOGS_CREATE_LOG_DELIVERY: Action = Action("logs:CreateLogDelivery");
    /// `logs:GetLogDelivery`
    pub const LOGS_GET_LOG_DELIVERY: Action = Action("logs:GetLogDelivery");
    /// `logs:UpdateLogDelivery`
    pub const LOGS_UPDATE_LOG_DELIVERY: Action = Action("logs:UpdateLogDelivery");
    /// `logs:DeleteLogDelivery`
    pub const LOGS_DELETE_LOG_DELIVERY: Action = Action("logs:DeleteLogDelivery");
    /// `logs:ListLogDeliveries`
    pub const LOGS_LIST_LOG_DELIVERIES: Action = Action("logs:ListLogDeliveries");
    /// `logs:PutResourcePolicy`
    pub const LOGS_PUT_RESOURCE_POLICY: Action = Action("logs:PutResourcePolicy");
    /// `logs:DescribeResourcePolicies`
    pub const LOGS_DESCRIBE_RESOURCE_POLICIES: Action = Action("logs:DescribeResourcePolicies");
    /// `xray:PutTraceSegments`
    pub const XRAY_PUT_TRACE_SEGMENTS: Action = Action("xray:PutTraceSegments");
    /// `xray:PutTelemetryRecords`
    pub const XRAY_PUT_TELEMETRY_RECORDS: Action = Action("xray:PutTelemetryRecords");
    /// `xray:GetSamplingRules`
    pub const XRAY_GET_SAMPLING_RULES: Action = Action("xray:GetSamplingRules");
    /// `xray:GetSamplingTargets`
    pub const XRAY_GET_SAMPLING_TARGETS: Action = Action("xray:GetSamplingTargets");
    /// `lambda:InvokeFunction`
    pub const LAMBDA_INVOKE_FUNCTION: Action = Action("lambda:InvokeFunction");
    /// `sns:Publish`
    pub const SNS_PUBLISH: Action = Action("sns:Publish");
    /// `states:StartExecution`
    pub const STATES_START_EXECUTION: Action = Action("states:StartExecution");
    /// `states:DescribeExecution`
    pub const STATES_DESCRIBE_EXECUTION: Action = Action("states:DescribeExecution");
    /// `sts:AssumeRole`
    pub const STS_ASSUME_ROLE: Action = Action("sts:AssumeRole");
    /// `sts:AssumeRoleWithWebIdentity` (GitHub's OIDC tokens)
    pub const STS_ASSUME_ROLE_WITH_WEB_IDENTITY: Action = Action("sts:AssumeRoleWithWebIdentity");
    /// `cloudformation:CreateChangeSet`
    pub const CLOUDFORMATION_CREATE_CHANGE_SET: Action = Action("cloudformation:CreateChangeSet");
    /// `cloudformation:DescribeChangeSet`
    pub const CLOUDFORMATION_DESCRIBE_CHANGE_SET: Action =
        Action("cloudformation:DescribeChangeSet");
    /// `cloudformation:ExecuteChangeSet`
    pub const CLOUDFORMATION_EXECUTE_CHANGE_SET: Action = Action("cloudformation:ExecuteChangeSet");
    /// `cloudformation:DeleteChangeSet`
    pub const CLOUDFORMATION_DELETE_CHANGE_SET: Action = Action("cloudformation:DeleteChangeSet");
    /// `cloudformation:DescribeStacks`
    pub const CLOUDFORMATION_DESCRIBE_STACKS: Action = Action("cloudformation:DescribeStacks");
    /// `cloudformation:DescribeStackEvents`
    pub const CLOUDFORMATION_DESCRIBE_STACK_EVENTS: Action =
        Action("cloudformation:DescribeStackEvents");
    /// `cloudformation:GetTemplate`
    pub const CLOUDFORMATION_GET_TEMPLATE: Action = Action("cloudformation:GetTemplate");
    /// `cognito-idp:AdminCreateUser` (the smoke test's user)
    pub const COGNITO_ADMIN_CREATE_USER: Action = Action("cognito-idp:AdminCreateUser");
    /// `cognito-idp:AdminSetUserPassword`
    pub const COGNITO_ADMIN_SET_USER_PASSWORD: Action = Action("cognito-idp:AdminSetUserPassword");
    /// `cognito-idp:AdminInitiateAuth`
    pub const COGNITO_ADMIN_INITIATE_AUTH: Action = Action("cognito-idp:AdminInitiateAuth");
    /// `cognito-idp:AdminDeleteUser`
    pub const COGNITO_ADMIN_DELETE_USER: Action = Action("cognito-idp:AdminDeleteUser");
    /// `kms:*`, granted only to the account in a key policy (the key stays manageable).
    pub const KMS_ALL: Action = Action("kms:*");
    /// `kms:CreateGrant`, denied in a key policy to all but AWS services.
    pub const KMS_CREATE_GRANT: Action = Action("kms:CreateGrant");
    /// `kms:Decrypt`
    pub const KMS_DECRYPT: Action = Action("kms:Decrypt");
    /// `kms:GenerateDataKey*`
    pub const KMS_GENERATE_DATA_KEY: Action = Action("kms:GenerateDataKey*");
}

/// Every action of one service: only in the bootstrap's deploy roles, each on the
/// names one environment's stack gives its resources (CloudFormation creates,
/// updates and deletes them with the deploying role's permissions).
pub mod services {
    use super::Action;

    /// `apigateway:*`
    pub const APIGATEWAY: Action = Action("apigateway:*");
    /// `cloudfront:*`
    pub const CLOUDFRONT: Action = Action("cloudfront:*");
    /// `cloudwatch:*`
    pub const CLOUDWATCH: Action = Action("cloudwatch:*");
    /// `codedeploy:*`
    pub const CODEDEPLOY: Action = Action("codedeploy:*");
    /// `cognito-idp:*`
    pub const COGNITO_IDP: Action = Action("cognito-idp:*");
    /// `dynamodb:*`
    pub const DYNAMODB: Action = Action("dynamodb:*");
    /// `iam:*`
    pub const IAM: Action = Action("iam:*");
    /// `lambda:*`
    pub const LAMBDA: Action = Action("lambda:*");
    /// `logs:*`
    pub const LOGS: Action = Action("logs:*");
    /// `s3:*`
    pub const S3: Action = Action("s3:*");
    /// `sns:*`
    pub const SNS: Action = Action("sns:*");
    /// `ssm:*`
    pub const SSM: Action = Action("ssm:*");
    /// `states:*`
    pub const STATES: Action = Action("states:*");
}

/// The AWS services that assume this stack's roles or that its resource policies allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `apigateway.amazonaws.com`
    ApiGateway,
    /// `logging.s3.amazonaws.com` (S3 server access log delivery)
    S3Logging,
    /// `cloudfront.amazonaws.com`
    CloudFront,
    /// `lambda.amazonaws.com`
    Lambda,
    /// `states.amazonaws.com`
    StepFunctions,
    /// `codedeploy.amazonaws.com`
    CodeDeploy,
    /// `cloudwatch.amazonaws.com` (alarm actions)
    CloudWatch,
}

impl Service {
    fn principal(self) -> &'static str {
        match self {
            Self::ApiGateway => "apigateway.amazonaws.com",
            Self::S3Logging => "logging.s3.amazonaws.com",
            Self::CloudFront => "cloudfront.amazonaws.com",
            Self::Lambda => "lambda.amazonaws.com",
            Self::StepFunctions => "states.amazonaws.com",
            Self::CodeDeploy => "codedeploy.amazonaws.com",
            Self::CloudWatch => "cloudwatch.amazonaws.com",
        }
    }
}

/// One statement: allow (or deny) actions on resources.
#[derive(Debug, Clone)]
pub struct Statement {
    sid: &'static str,
    allow: bool,
    actions: Vec<Action>,
    resources: Vec<ExpString>,
    principal: Option<Value>,
    condition: Option<Value>,
    /// The template condition the statement exists under, if any.
    only_if: Option<Condition>,
}

impl Statement {
    /// Allows `actions` on `resources`.
    pub fn allow(sid: &'static str, actions: &[Action], resources: Vec<ExpString>) -> Self {
        Self {
            sid,
            allow: true,
            actions: actions.to_vec(),
            resources,
            principal: None,
            condition: None,
            only_if: None,
        }
    }

    /// Allows `service` (in a resource policy) `actions` on `resources`.
    pub fn allow_service(
        sid: &'static str,
        service: Service,
        actions: &[Action],
        resources: Vec<ExpString>,
    ) -> Self {
        Self {
            principal: Some(json!({ "Service": service.principal() })),
            ..Self::allow(sid, actions, resources)
        }
    }

    /// Allows this account's IAM principals `actions` (a key policy's statement that
    /// keeps the key manageable: IAM policies then decide who may use it).
    pub fn allow_account(sid: &'static str, actions: &[Action]) -> Self {
        let root = Sub::new()
            .text("arn:")
            .pseudo(Pseudo::Partition)
            .text(":iam::")
            .pseudo(Pseudo::AccountId)
            .text(":root")
            .build();
        Self {
            principal: Some(json!({ "AWS": root })),
            ..Self::allow_unscoped(sid, actions)
        }
    }

    /// A key policy's deny of grants to anyone but an AWS service acting for an AWS
    /// resource: nobody can hand the key's use on through a grant.
    pub fn deny_grants_but_for_aws_services() -> Self {
        Self {
            sid: "GrantsOnlyForAwsServices",
            allow: false,
            actions: vec![actions::KMS_CREATE_GRANT],
            resources: vec!["*".into()],
            principal: Some(json!({ "AWS": "*" })),
            condition: Some(json!({ "BoolIfExists": {
                "kms:GrantIsForAWSResource": "false",
                "aws:PrincipalIsAWSService": "false",
            } })),
            only_if: None,
        }
    }

    /// Present only where the template's `condition` holds (`Fn::If`, else
    /// `AWS::NoValue`): a statement about a resource that exists under it.
    pub fn only_if(mut self, condition: &Condition) -> Self {
        self.only_if = Some(condition.clone());
        self
    }

    /// For `service` as the principal (a statement of a resource policy).
    pub fn for_service(mut self, service: Service) -> Self {
        self.principal = Some(json!({ "Service": service.principal() }));
        self
    }

    /// Only where `condition` (an IAM `Condition` block) holds.
    pub fn when(mut self, condition: Value) -> Self {
        self.condition = Some(condition);
        self
    }

    /// Allows actions for which AWS offers no resource-level permission (`Resource: *`).
    pub fn allow_unscoped(sid: &'static str, actions: &[Action]) -> Self {
        Self::allow(sid, actions, vec!["*".into()])
    }

    /// Denies every S3 action on `resources` to requests that are not over TLS.
    pub fn deny_insecure_transport(resources: Vec<ExpString>) -> Self {
        Self {
            sid: "DenyInsecureTransport",
            allow: false,
            actions: vec![actions::S3_ALL],
            resources,
            principal: Some(json!("*")),
            condition: Some(json!({ "Bool": { "aws:SecureTransport": "false" } })),
            only_if: None,
        }
    }

    fn to_value(&self) -> Value {
        let mut out = Map::new();
        out.insert("Sid".into(), self.sid.into());
        out.insert(
            "Effect".into(),
            if self.allow { "Allow" } else { "Deny" }.into(),
        );
        if let Some(principal) = &self.principal {
            out.insert("Principal".into(), principal.clone());
        }
        let actions: Vec<Value> = self.actions.iter().map(|a| a.name().into()).collect();
        out.insert("Action".into(), actions.into());
        if !self.resources.is_empty() {
            out.insert("Resource".into(), json!(self.resources));
        }
        if let Some(condition) = &self.condition {
            out.insert("Condition".into(), condition.clone());
        }
        match &self.only_if {
            Some(condition) => {
                json!({ "Fn::If": [condition.id(), out, { "Ref": "AWS::NoValue" }] })
            }
            None => Value::Object(out),
        }
    }
}

/// An IAM policy document (version 2012-10-17).
#[derive(Debug, Clone, Default)]
pub struct PolicyDocument {
    statements: Vec<Statement>,
}

impl PolicyDocument {
    /// A document of these statements.
    pub fn new(statements: Vec<Statement>) -> Self {
        Self { statements }
    }

    /// The trust policy that lets one AWS service assume a role (see [`Trust`]).
    pub fn assumed_by(trust: &Trust) -> Self {
        let condition = trust.source_arn.as_ref().map(|source_arn| {
            json!({
                "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } },
                "ArnLike": { "aws:SourceArn": source_arn },
            })
        });
        Self::new(vec![Statement {
            sid: "AssumedByService",
            allow: true,
            actions: vec![actions::STS_ASSUME_ROLE],
            resources: Vec::new(),
            principal: Some(json!({ "Service": trust.service.principal() })),
            condition,
            only_if: None,
        }])
    }

    /// The trust policy that lets holders of an OIDC provider's web identity token
    /// assume a role, where `conditions` (an IAM `Condition` block) hold.
    pub fn assumed_with_web_identity(provider: ExpString, conditions: Value) -> Self {
        Self::new(vec![Statement {
            sid: "AssumedWithWebIdentity",
            allow: true,
            actions: vec![actions::STS_ASSUME_ROLE_WITH_WEB_IDENTITY],
            resources: Vec::new(),
            principal: Some(json!({ "Federated": provider })),
            condition: Some(conditions),
            only_if: None,
        }])
    }

    /// The document as JSON, as CloudFormation expects it.
    pub fn to_value(&self) -> Value {
        let statements: Vec<Value> = self.statements.iter().map(Statement::to_value).collect();
        json!({ "Version": "2012-10-17", "Statement": statements })
    }
}

/// Who may assume a role: one AWS service, and, where that service documents the
/// confused-deputy condition keys for roles it assumes, only on behalf of this
/// stack's resource in this account.
#[derive(Debug, Clone)]
pub struct Trust {
    service: Service,
    source_arn: Option<ExpString>,
}

impl Trust {
    /// Trusts `service` with no condition: for services that document no
    /// `aws:SourceArn`/`aws:SourceAccount` for the roles they assume (Lambda's
    /// execution role, API Gateway's integration and logging roles).
    pub fn service(service: Service) -> Self {
        Self {
            service,
            source_arn: None,
        }
    }

    /// Trusts `service` only when it acts for `source_arn` (`ArnLike aws:SourceArn`)
    /// in this account (`StringEquals aws:SourceAccount`). Build the ARN from names,
    /// not from `Fn::GetAtt` on the resource that uses the role: that would be a
    /// circular dependency.
    pub fn for_source(service: Service, source_arn: ExpString) -> Self {
        Self {
            service,
            source_arn: Some(source_arn),
        }
    }
}

/// A role assumed as `trust` says, with one inline policy.
pub fn role(
    trust: &Trust,
    description: &str,
    policy_name: &str,
    policy: &PolicyDocument,
) -> iam::Role_ {
    iam::Role! {
        assume_role_policy_document: PolicyDocument::assumed_by(trust).to_value(),
        description: description,
        policies: vec![iam::role::Policy! {
            policy_document: policy.to_value(),
            policy_name: policy_name,
        }],
    }
}

/// An AWS managed policy a service role of this stack is given, where AWS keeps the
/// policy in step with what its service does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedPolicy {
    /// `service-role/AWSCodeDeployRoleForLambdaLimited`: what CodeDeploy needs to
    /// shift a Lambda alias (read the alias and the alarms, update the alias), with
    /// no hooks' invocations beyond `CodeDeployHook_*` and no S3 access.
    CodeDeployForLambdaLimited,
}

impl ManagedPolicy {
    /// The policy's ARN, in the stack's partition.
    pub fn arn(self) -> ExpString {
        let name = match self {
            Self::CodeDeployForLambdaLimited => "service-role/AWSCodeDeployRoleForLambdaLimited",
        };
        ExpString::Sub {
            pattern: format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"),
        }
    }
}

/// A service role assumed as `trust` says, with one AWS managed policy and nothing else.
pub fn managed_role(trust: &Trust, description: &str, policy: ManagedPolicy) -> iam::Role_ {
    iam::Role! {
        assume_role_policy_document: PolicyDocument::assumed_by(trust).to_value(),
        description: description,
        managed_policy_arns: vec![policy.arn()],
    }
}
