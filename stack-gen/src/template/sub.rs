//! `Fn::Sub` built from typed parts: every `${...}` names a pseudo parameter, a
//! parameter or a resource handle, and literal text is escaped.

use stratosphere::value::ExpString;

use super::{Handle, HasArn, HasDomainName, HasName, Param};

/// The pseudo parameters CloudFormation substitutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::Partition`
    Partition,
    /// `AWS::Region`
    Region,
    /// `AWS::StackName`
    StackName,
    /// `AWS::URLSuffix`
    UrlSuffix,
}

impl Pseudo {
    fn name(self) -> &'static str {
        match self {
            Self::AccountId => "AWS::AccountId",
            Self::Partition => "AWS::Partition",
            Self::Region => "AWS::Region",
            Self::StackName => "AWS::StackName",
            Self::UrlSuffix => "AWS::URLSuffix",
        }
    }
}

/// A `Fn::Sub` pattern under construction.
#[derive(Debug, Clone, Default)]
pub struct Sub {
    pattern: String,
}

impl Sub {
    /// An empty pattern.
    pub fn new() -> Self {
        Self::default()
    }

    /// Literal text; a `${` in it is written as `${!` so CloudFormation keeps it.
    pub fn text(mut self, text: &str) -> Self {
        self.pattern.push_str(&text.replace("${", "${!"));
        self
    }

    /// A pseudo parameter.
    pub fn pseudo(self, pseudo: Pseudo) -> Self {
        self.variable(pseudo.name())
    }

    /// A stack parameter's value.
    pub fn param(self, param: &Param) -> Self {
        self.variable(param.id())
    }

    /// What `Ref` returns for a resource.
    pub fn reference<R>(self, resource: &Handle<R>) -> Self {
        self.variable(resource.id())
    }

    /// A resource's ARN attribute.
    pub fn arn<R: HasArn>(self, resource: &Handle<R>) -> Self {
        let name = format!("{}.Arn", resource.id());
        self.variable(&name)
    }

    /// A resource's `Name` attribute.
    pub fn name_of<R: HasName>(self, resource: &Handle<R>) -> Self {
        let name = format!("{}.Name", resource.id());
        self.variable(&name)
    }

    /// A resource's `DomainName` attribute.
    pub fn domain_name_of<R: HasDomainName>(self, resource: &Handle<R>) -> Self {
        let name = format!("{}.DomainName", resource.id());
        self.variable(&name)
    }

    /// Appends another pattern.
    pub fn then(mut self, rest: Sub) -> Self {
        self.pattern.push_str(&rest.pattern);
        self
    }

    fn variable(mut self, name: &str) -> Self {
        self.pattern.push_str("${");
        self.pattern.push_str(name);
        self.pattern.push('}');
        self
    }

    /// The finished `Fn::Sub`.
    pub fn build(self) -> ExpString {
        ExpString::Sub {
            pattern: self.pattern,
        }
    }
}

/// `arn:${AWS::Partition}:SERVICE:${AWS::Region}:` (no account) + `rest`.
pub fn region_arn(service: &str, rest: Sub) -> ExpString {
    Sub::new()
        .text("arn:")
        .pseudo(Pseudo::Partition)
        .text(&format!(":{service}:"))
        .pseudo(Pseudo::Region)
        .text(":")
        .then(rest)
        .build()
}

/// `arn:${AWS::Partition}:SERVICE:${AWS::Region}:${AWS::AccountId}:` + `rest`.
pub fn regional_arn(service: &str, rest: Sub) -> ExpString {
    region_arn(
        service,
        Sub::new().pseudo(Pseudo::AccountId).text(":").then(rest),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literal_dollar_braces_are_escaped() {
        let sub = Sub::new().text("a ${b} ").pseudo(Pseudo::Region).build();
        assert_eq!(
            serde_json::to_value(sub).unwrap(),
            json!({"Fn::Sub": "a ${!b} ${AWS::Region}"})
        );
    }

    #[test]
    fn regional_arn_prefixes_partition_region_account() {
        let arn = regional_arn("ssm", Sub::new().text("parameter/x"));
        assert_eq!(
            serde_json::to_value(arn).unwrap(),
            json!({"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x"})
        );
    }
}
