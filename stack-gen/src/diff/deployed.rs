//! Comparing with a deployed stack (`stack-gen diff --stack`): the deployed template
//! and parameter values against a template and an environment's values, through the
//! same template diff. Each parameter's value goes into both templates as a `Value`
//! field of its declaration, so a changed value is reported like any other field of a
//! parameter. The deployed template is the packaged one: each function's `Code` is an
//! S3 location where the generated template has a local zip, so the deployed `Code`
//! is carried over (a code change shows as the `CodeVersion` parameter's value).

use std::collections::BTreeMap;

use serde_json::Value;

/// A deployed stack: its template (as `GetTemplate` returns it) and its parameters'
/// values (`DescribeStacks`).
#[derive(Debug, Clone, PartialEq)]
pub struct Deployed {
    /// The template the stack was last updated with.
    pub template: Value,
    /// Each parameter's value.
    pub parameters: BTreeMap<String, String>,
}

/// The property `aws cloudformation package` rewrites, per resource type.
const PACKAGED: [(&str, &str); 1] = [("AWS::Lambda::Function", "Code")];

/// The two templates to compare, old (deployed) and new (`template` with `values`).
pub fn comparable(
    deployed: &Deployed,
    template: &Value,
    values: &BTreeMap<String, String>,
) -> (Value, Value) {
    let mut old = deployed.template.clone();
    let mut new = template.clone();
    for (kind, property) in PACKAGED {
        let Some(resources) = new["Resources"].as_object_mut() else {
            break;
        };
        for (id, resource) in resources.iter_mut() {
            let deployed_code = &deployed.template["Resources"][id];
            if resource["Type"] == kind
                && deployed_code["Type"] == kind
                && let Some(code) = deployed_code["Properties"].get(property)
            {
                resource["Properties"][property] = code.clone();
            }
        }
    }
    with_values(&mut old, &deployed.parameters);
    with_values(&mut new, values);
    (old, new)
}

fn with_values(template: &mut Value, values: &BTreeMap<String, String>) {
    if let Some(parameters) = template["Parameters"].as_object_mut() {
        for (name, declaration) in parameters.iter_mut() {
            if let (Some(value), Some(declaration)) =
                (values.get(name), declaration.as_object_mut())
            {
                declaration.insert("Value".to_owned(), Value::from(value.as_str()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(code: Value, memory: i64) -> Value {
        json!({
            "Parameters": { "Mfa": { "Type": "String", "Default": "OPTIONAL" } },
            "Resources": { "F": { "Type": "AWS::Lambda::Function", "Properties": { "Code": code, "MemorySize": memory } } },
        })
    }

    #[test]
    fn values_and_resources_are_compared_and_packaged_code_is_not() {
        let s3 = json!({ "S3Bucket": "b", "S3Key": "k" });
        let deployed = Deployed {
            template: template(s3.clone(), 128),
            parameters: BTreeMap::from([("Mfa".to_owned(), "OPTIONAL".to_owned())]),
        };
        let values = BTreeMap::from([("Mfa".to_owned(), "ON".to_owned())]);
        let (old, new) = comparable(&deployed, &template(json!("../zip"), 256), &values);
        assert_eq!(old["Parameters"]["Mfa"]["Value"], "OPTIONAL");
        assert_eq!(new["Parameters"]["Mfa"]["Value"], "ON");
        assert_eq!(new["Resources"]["F"]["Properties"]["Code"], s3);
        let diff = super::super::compare(&old, &new).unwrap();
        assert_eq!(diff.parameters.len(), 1, "{diff:#?}");
        assert_eq!(diff.resources.len(), 1, "{diff:#?}");
        assert_eq!(
            diff.resources[0].properties.len(),
            1,
            "MemorySize only: {diff:#?}"
        );
    }
}
