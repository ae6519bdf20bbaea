//! An environment file (`deploy/<env>.json`): one stack's parameter values and tags,
//! in CloudFormation's template configuration format (`{"Parameters": {…}, "Tags":
//! {…}}`, what CodePipeline's CloudFormation action reads), checked against the
//! template. `scripts/deploy`, the pipeline and `stack-gen diff --stack` read it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// One environment's parameter values and tags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Environment {
    /// Template parameter values; a parameter not named keeps its default.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// Tags CloudFormation puts on the stack and every resource that takes tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// Why an environment file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EnvironmentError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not an environment in the template configuration format.
    #[error("{path}: not {{\"Parameters\": {{…}}, \"Tags\": {{…}}}} with string values: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// It sets a parameter the template does not declare.
    #[error("the template has no parameter `{0}`")]
    UnknownParameter(String),
    /// It sets a parameter to a value outside its `AllowedValues`.
    #[error("`{name}` may not be `{value}` (allowed: {allowed})")]
    NotAllowed {
        /// The parameter.
        name: String,
        /// The value given.
        value: String,
        /// The values the template allows.
        allowed: String,
    },
}

impl Environment {
    /// Reads an environment file.
    pub fn load(path: &Path) -> Result<Self, EnvironmentError> {
        let text = std::fs::read_to_string(path).map_err(|source| EnvironmentError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|source| EnvironmentError::Format {
            path: path.to_owned(),
            source,
        })
    }

    /// Parses an environment: a JSON object (a list, which serde would also read
    /// into the fields by position, is refused).
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        let value: Value = serde_json::from_str(text)?;
        if !value.is_object() {
            return Err(serde::de::Error::custom("an environment is a JSON object"));
        }
        serde_json::from_value(value)
    }

    /// Fails on a parameter `template` does not declare, or a value outside its
    /// `AllowedValues`.
    pub fn check(&self, template: &Value) -> Result<(), EnvironmentError> {
        for (name, value) in &self.parameters {
            let declared = template["Parameters"]
                .get(name)
                .ok_or_else(|| EnvironmentError::UnknownParameter(name.clone()))?;
            if let Some(allowed) = declared["AllowedValues"].as_array()
                && !allowed.iter().any(|allowed| allowed == value.as_str())
            {
                return Err(EnvironmentError::NotAllowed {
                    name: name.clone(),
                    value: value.clone(),
                    allowed: Value::Array(allowed.clone()).to_string(),
                });
            }
        }
        Ok(())
    }

    /// The parameter values as `Key=Value` arguments (`aws cloudformation deploy
    /// --parameter-overrides`).
    pub fn overrides(&self) -> Vec<String> {
        key_values(&self.parameters)
    }

    /// The tags as `Key=Value` arguments (`aws cloudformation deploy --tags`).
    pub fn tag_args(&self) -> Vec<String> {
        key_values(&self.tags)
    }

    /// Every parameter's value in a stack of `template` deployed with this
    /// environment: the value given here, else the template's default.
    pub fn values(&self, template: &Value) -> BTreeMap<String, String> {
        template["Parameters"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, declared)| {
                let value =
                    self.parameters.get(name).cloned().unwrap_or_else(|| {
                        declared["Default"].as_str().unwrap_or_default().to_owned()
                    });
                (name.clone(), value)
            })
            .collect()
    }
}

fn key_values(map: &BTreeMap<String, String>) -> Vec<String> {
    map.iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        json!({ "Parameters": {
            "Mfa": { "Type": "String", "Default": "OPTIONAL", "AllowedValues": ["OPTIONAL", "ON"] },
            "StageName": { "Type": "String", "Default": "v1" },
        } })
    }

    fn environment(text: &str) -> Result<Environment, serde_json::Error> {
        Environment::parse(text)
    }

    #[test]
    fn reads_the_template_configuration_format_and_nothing_else() {
        let env = environment(r#"{"Parameters":{"Mfa":"ON"},"Tags":{"env":"prod"}}"#).unwrap();
        assert_eq!(env.overrides(), ["Mfa=ON"]);
        assert_eq!(env.tag_args(), ["env=prod"]);
        assert!(environment(r#"{"Parameters":{"Mfa":"ON"},"StackPolicy":{}}"#).is_err());
        assert!(environment(r#"{"Parameters":{"Mfa":true}}"#).is_err());
        assert!(environment(r#"[{"ParameterKey":"Mfa","ParameterValue":"ON"}]"#).is_err());
    }

    #[test]
    fn check_refuses_unknown_parameters_and_values_not_allowed() {
        let template = template();
        let ok = environment(r#"{"Parameters":{"Mfa":"ON","StageName":"anything"}}"#).unwrap();
        ok.check(&template).unwrap();
        let unknown = environment(r#"{"Parameters":{"Mfaa":"ON"}}"#).unwrap();
        assert!(matches!(
            unknown.check(&template),
            Err(EnvironmentError::UnknownParameter(name)) if name == "Mfaa"
        ));
        let bad = environment(r#"{"Parameters":{"Mfa":"OFF"}}"#).unwrap();
        assert!(matches!(
            bad.check(&template),
            Err(EnvironmentError::NotAllowed { .. })
        ));
    }

    #[test]
    fn values_are_the_given_ones_over_the_defaults() {
        let env = environment(r#"{"Parameters":{"Mfa":"ON"}}"#).unwrap();
        assert_eq!(
            env.values(&template()),
            BTreeMap::from([
                ("Mfa".to_owned(), "ON".to_owned()),
                ("StageName".to_owned(), "v1".to_owned())
            ])
        );
    }
}
