//! The `POST /dragons` integration request: a VTL mapping template that turns the
//! validated body and the authorizer's claims into a `StartExecution` request.
//!
//! The execution input is `{"dragon": <body>, "reporter": {"sub", "username"}}`; the
//! reporter comes from the verified token, never from the body. It is a JSON string
//! inside JSON, so values are escaped twice: `$util.escapeJavaScript` makes text safe
//! inside a JSON string (it also writes `'` as `\'`, which JSON does not allow, hence
//! each `.replaceAll("\\'", "'")`). The execution is named after the request id, so
//! API Gateway's own retries of one request start one execution.

use stratosphere::services::aws::stepfunctions;
use stratosphere::value::ExpString;

use crate::template::{Handle, Sub};

/// Escapes a VTL expression once for a JSON string.
fn escaped(expression: &str) -> String {
    format!("$util.escapeJavaScript({expression}).replaceAll(\"\\\\'\", \"'\")")
}

/// The template's text before and after the state machine's ARN.
fn parts() -> (String, &'static str) {
    let sub = "$context.authorizer.claims.sub";
    let username = "$context.authorizer.claims['cognito:username']";
    let input = format!(
        "{{\\\"dragon\\\":{body},\\\"reporter\\\":{{\\\"sub\\\":\\\"{sub}\\\",\\\"username\\\":\\\"{username}\\\"}}}}",
        body = escaped("$input.json('$')"),
        sub = escaped(&escaped(sub)),
        username = escaped(&escaped(username)),
    );
    let before = format!(
        "{{\n  \"input\": \"{input}\",\n  \"name\": \"$context.requestId\",\n  \"stateMachineArn\": \""
    );
    (before, "\"\n}\n")
}

/// The mapping template, with the state machine's ARN substituted by CloudFormation.
pub fn start_execution(state_machine: &Handle<stepfunctions::StateMachine_>) -> ExpString {
    let (before, after) = parts();
    Sub::new()
        .text(&before)
        .reference(state_machine)
        .text(after)
        .build()
}

/// The mapping template with a given ARN, as API Gateway receives it after deployment.
pub fn start_execution_with_arn(state_machine_arn: &str) -> String {
    let (before, after) = parts();
    format!("{before}{state_machine_arn}{after}")
}

/// The integration response for a started execution: its ARN and start date.
pub const STARTED_RESPONSE: &str =
    "{\"executionArn\": $input.json('$.executionArn'), \"startDate\": $input.json('$.startDate')}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_execution_after_request_and_escapes_twice() {
        let text = start_execution_with_arn("arn:aws:states:us-east-1:123456789012:stateMachine:x");
        assert!(text.contains("\"name\": \"$context.requestId\""));
        assert!(text.contains(
            "\"stateMachineArn\": \"arn:aws:states:us-east-1:123456789012:stateMachine:x\""
        ));
        assert!(text.contains(
            "$util.escapeJavaScript($util.escapeJavaScript($context.authorizer.claims.sub).replaceAll(\"\\\\'\", \"'\")).replaceAll(\"\\\\'\", \"'\")"
        ));
        assert!(text.contains("{\\\"dragon\\\":$util.escapeJavaScript($input.json('$'))"));
    }
}
