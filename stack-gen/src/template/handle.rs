//! Typed references: handles to resources, parameters and conditions of one template.

use std::marker::PhantomData;

use stratosphere::services::aws::{
    apigateway, cloudfront, cognito, dynamodb, iam, kms, lambda, logs, s3, sns, stepfunctions,
};
use stratosphere::value::{ConditionName, ExpString, get_att};

/// A resource that was added to the template; only [`super::Template`] makes them.
pub struct Handle<R> {
    id: String,
    resource: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for Handle<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Handle").field(&self.id).finish()
    }
}

impl<R> Clone for Handle<R> {
    fn clone(&self) -> Self {
        Self::new(self.id.clone())
    }
}

impl<R> Handle<R> {
    pub(super) fn new(id: String) -> Self {
        Self {
            id,
            resource: PhantomData,
        }
    }

    /// The logical id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `{"Ref": id}`: what `Ref` returns depends on the type (name, id or ARN).
    pub fn reference(&self) -> ExpString {
        ExpString::Ref(self.id.as_str().into())
    }

    fn attribute(&self, name: &str) -> ExpString {
        get_att(self.id.as_str(), name)
    }
}

/// Resource types with an `Arn` attribute (`Fn::GetAtt [id, Arn]`).
pub trait HasArn {}

impl HasArn for iam::Role_ {}
impl HasArn for lambda::Function_ {}
impl HasArn for logs::LogGroup_ {}
impl HasArn for s3::Bucket_ {}
impl HasArn for stepfunctions::StateMachine_ {}
impl HasArn for cognito::UserPool_ {}
impl HasArn for dynamodb::Table_ {}
impl HasArn for kms::Key_ {}

/// Resource types with a `Name` attribute (`Fn::GetAtt [id, Name]`).
pub trait HasName {}

impl HasName for stepfunctions::StateMachine_ {}

/// Resource types with a `DomainName` attribute (`Fn::GetAtt [id, DomainName]`).
pub trait HasDomainName {}

impl HasDomainName for cloudfront::Distribution_ {}

impl<R: HasArn> Handle<R> {
    /// `Fn::GetAtt [id, Arn]`.
    pub fn arn(&self) -> ExpString {
        self.attribute("Arn")
    }
}

impl<R: HasDomainName> Handle<R> {
    /// `Fn::GetAtt [id, DomainName]`.
    pub fn domain_name(&self) -> ExpString {
        self.attribute("DomainName")
    }
}

impl Handle<s3::Bucket_> {
    /// `Fn::GetAtt [id, RegionalDomainName]`: the bucket's host in its own Region.
    pub fn regional_domain_name(&self) -> ExpString {
        self.attribute("RegionalDomainName")
    }
}

impl Handle<lambda::Version_> {
    /// `Fn::GetAtt [id, Version]`: the version's number.
    pub fn version(&self) -> ExpString {
        self.attribute("Version")
    }
}

impl Handle<apigateway::RestApi_> {
    /// `Fn::GetAtt [id, RootResourceId]`: the id of the API's `/` resource.
    pub fn root_resource_id(&self) -> ExpString {
        self.attribute("RootResourceId")
    }
}

impl Handle<sns::Topic_> {
    /// `Fn::GetAtt [id, TopicName]`: the name SNS's metrics carry as `TopicName`.
    pub fn topic_name(&self) -> ExpString {
        self.attribute("TopicName")
    }
}

impl Handle<cognito::UserPoolClient_> {
    /// `Fn::GetAtt [id, ClientId]`.
    pub fn client_id(&self) -> ExpString {
        self.attribute("ClientId")
    }
}

/// A stack parameter of the template.
#[derive(Debug, Clone)]
pub struct Param {
    id: String,
}

impl Param {
    pub(super) fn new(id: String) -> Self {
        Self { id }
    }

    /// The parameter's name.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `{"Ref": name}`: the parameter's value.
    pub fn reference(&self) -> ExpString {
        ExpString::Ref(self.id.as_str().into())
    }
}

/// A condition of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    id: String,
}

impl Condition {
    pub(super) fn new(id: String) -> Self {
        Self { id }
    }

    /// The condition's name.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The name as `stratosphere` expects it (e.g. in `Fn::If`).
    pub fn name(&self) -> ConditionName {
        self.id.as_str().into()
    }
}
