//! The name of one of the stack's SSM parameters: by default `/<stack name>/<leaf>`
//! ([`dragons_contract::names::stack_parameter`]), so that two stacks in one account
//! and Region never share one; or the name a template parameter gives (the seed's
//! global names, for the course's setup).

use stratosphere::services::aws::ssm;
use stratosphere::value::ExpString;

use super::parameters;
use crate::template::{
    Condition, Handle, Param, Parameter, Pseudo, Sub, Template, TemplateError, regional_arn,
};

/// A name given, one level, no `/` (the seed's): SSM's ARN then needs a `/` before it.
const GIVEN_NAME: &str = "^$|^[a-zA-Z0-9_.-]{1,1011}$";
const GIVEN_NAME_HELP: &str = "empty (the default: /<stack name>/<name>), or letters, digits, '_', '.', '-' (one level, no '/')";

/// One SSM parameter's name, per stack unless a template parameter gives it.
#[derive(Debug, Clone)]
pub struct SsmName {
    given: Param,
    is_given: Condition,
    leaf: &'static str,
}

impl SsmName {
    /// Declares the template parameter `id` (empty by default: per stack) and the
    /// condition that it was given.
    pub fn add(
        template: &mut Template,
        id: &str,
        description: &str,
        leaf: &'static str,
    ) -> Result<Self, TemplateError> {
        let given = template.parameter(
            id,
            Parameter::string(
                &format!(
                    "{description} Empty (the default): /<stack name>/{leaf}; the seed's global name is {leaf}."
                ),
                "",
            )
            .allowed_pattern(GIVEN_NAME, GIVEN_NAME_HELP),
        )?;
        let is_given = parameters::is_given(template, &format!("Has{id}"), &given)?;
        Ok(Self {
            given,
            is_given,
            leaf,
        })
    }

    /// The name: the given one, else `/${AWS::StackName}/<leaf>`.
    pub fn name(&self) -> ExpString {
        ExpString::If {
            condition_name: self.is_given.name(),
            true_branch: Box::new(self.given.reference()),
            else_branch: Box::new(
                Sub::new()
                    .text("/")
                    .pseudo(Pseudo::StackName)
                    .text(&format!("/{}", self.leaf))
                    .build(),
            ),
        }
    }

    /// The ARN of `parameter` (named [`Self::name`]): SSM writes a hierarchical name
    /// (which starts with `/`) right after `parameter`, a one-level name after `parameter/`.
    pub fn arn(&self, parameter: &Handle<ssm::Parameter_>) -> ExpString {
        ExpString::If {
            condition_name: self.is_given.name(),
            true_branch: Box::new(regional_arn(
                "ssm",
                Sub::new().text("parameter/").reference(parameter),
            )),
            else_branch: Box::new(regional_arn(
                "ssm",
                Sub::new().text("parameter").reference(parameter),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dragons_contract::names::{DEFAULT_BUCKET_PARAMETER, stack_parameter};

    #[test]
    fn the_default_name_is_the_contracts_per_stack_name() {
        let mut template = Template::new("t");
        let name = SsmName::add(&mut template, "P", "d.", DEFAULT_BUCKET_PARAMETER).unwrap();
        let value = serde_json::to_value(name.name()).unwrap();
        assert_eq!(
            value["Fn::If"][2]["Fn::Sub"],
            stack_parameter("${AWS::StackName}", DEFAULT_BUCKET_PARAMETER)
        );
        assert_eq!(value["Fn::If"][0], "HasP");
        assert_eq!(value["Fn::If"][1], serde_json::json!({ "Ref": "P" }));
    }
}
