//! `invalid-lambda-arn`: a Task `Resource` of the form `arn:<partition>:lambda:…` is a
//! Lambda function ARN `arn:<partition>:lambda:<region>:<account>:function:<name>`, with at
//! most one qualifier: `$LATEST`, a version number or an alias (letters, digits, `-`, `_`,
//! not all digits, up to 128 characters).
//!
//! The region and the account are not checked: CreateStateMachine accepts placeholders
//! there (`REGION`, `account-id`, `${AWS::Region}`: the service reports a bad ARN when the
//! state runs, as `States.Runtime`), and so does asl-validator.

use crate::model::{State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let State::Task(task) = state else {
            continue;
        };
        if let Some(problem) = problem(&task.resource) {
            out.push(Diagnostic::state(
                Rule::InvalidLambdaArn,
                name,
                format!("Resource `{}`: {problem}", task.resource),
            ));
        }
    }
}

/// Why `resource` is a malformed Lambda ARN (`None` when it is well-formed or not one).
fn problem(resource: &str) -> Option<String> {
    let resource = without_substitutions(resource);
    let parts: Vec<&str> = resource.split(':').collect();
    let ["arn", _partition, "lambda", rest @ ..] = parts.as_slice() else {
        return None;
    };
    let (region, account, kind, function, qualifier) = match rest {
        [region, account, kind, function] => (region, account, kind, function, None),
        [region, account, kind, function, qualifier] => {
            (region, account, kind, function, Some(qualifier))
        }
        _ => {
            return Some(
                "not `…:lambda:<region>:<account>:function:<name>[:<qualifier>]`".to_owned(),
            );
        }
    };
    let is_name = |text: &str, max: usize| {
        !text.is_empty()
            && text.chars().count() <= max
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if region.is_empty() {
        return Some("the region is empty".to_owned());
    }
    if account.is_empty() {
        return Some("the account is empty".to_owned());
    }
    if *kind != "function" {
        return Some(format!("`{kind}` should be `function`"));
    }
    if !is_name(function, 64) {
        return Some(format!("`{function}` is not a function name"));
    }
    match qualifier {
        None => None,
        Some(&"$LATEST") => None,
        Some(version) if !version.is_empty() && version.chars().all(|c| c.is_ascii_digit()) => None,
        Some(alias) if is_name(alias, 128) => None,
        Some(alias) => Some(format!("`{alias}` is not a version or an alias")),
    }
}

/// `resource` with each `${…}` substitution (`${AWS::Region}`, `${FunctionName}`) replaced
/// by a placeholder without `:`.
fn without_substitutions(resource: &str) -> String {
    let mut out = String::with_capacity(resource.len());
    let mut rest = resource;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str("SUBSTITUTION");
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn lambda_arns_are_well_formed() {
        let task = |resource: &str, next: &str| json!({"Type": "Task", "Resource": resource, "Next": next});
        let fn_arn = "arn:aws:lambda:us-east-1:123456789012:function";
        let got = reported(json!({"StartAt": "A", "States": {
            "A": task(&format!("{fn_arn}:work"), "B"),
            "B": task(&format!("{fn_arn}:work:prod"), "C"),
            "C": task(&format!("{fn_arn}:work:7"), "D"),
            "D": task(&format!("{fn_arn}:work:$LATEST"), "E"),
            "E": task(&format!("{fn_arn}:work:bad alias"), "F"),
            "F": task(&format!("{fn_arn}:work:prod:extra"), "G"),
            "G": task("arn:aws:lambda:REGION:ACCOUNT_ID:function:work", "H"),
            "H": task(&format!("{fn_arn}:work:"), "I"),
            "I": task("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}", "J"),
            "J": task("arn:aws:lambda::123456789012:function:work", "K"),
            "K": {"Type": "Succeed"}
        }}));
        assert_eq!(
            got,
            ["E", "F", "H", "J"].map(|s| at(Rule::InvalidLambdaArn, s))
        );
    }
}
