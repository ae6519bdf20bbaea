//! The `POST /dragons` integration request: a VTL mapping template that turns the
//! validated body and the authorizer's claims into a `StartExecution` request.
//!
//! The execution input is `{"dragon": <body>, "reporter": {"sub", "username"}}`; the
//! reporter comes from the verified token, never from the body. It is a JSON string
//! inside JSON, so values are escaped twice: `$util.escapeJavaScript` makes text safe
//! inside a JSON string (it also writes `'` as `\'`, which JSON does not allow, hence
//! each `.replaceAll("\\'", "'")`).
//!
//! The execution (the report) is named after `$context.extendedRequestId`, which API
//! Gateway makes and a client cannot set (unlike `$context.requestId`, which the
//! `x-amzn-RequestId` header sets). Whatever it holds, its `$util.base64Encode` is
//! made of `A–Z a–z 0–9 + / =`; with `+` → `-`, `/` → `_` and `=` dropped it is
//! URL-safe base64, inside Step Functions' name rules, a JSON string and a URL path.

use dragons_contract::report_status::location;
use stratosphere::services::aws::stepfunctions;
use stratosphere::value::ExpString;

use crate::template::{Handle, Sub};

/// Sets `$reportId` from the extended request id (see the module docs).
pub const SET_REPORT_ID: &str = "#set($reportId = $util.base64Encode($context.extendedRequestId).replace('+', '-').replace('/', '_').replace('=', ''))\n";

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
        "{SET_REPORT_ID}{{\n  \"input\": \"{input}\",\n  \"name\": \"$reportId\",\n  \"stateMachineArn\": \""
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

/// The integration response for a started execution: 202 with the report's id and
/// status, and its `Location` (the request's own path, stage or base path included,
/// then `/reports/{reportId}`).
pub fn started_response() -> String {
    format!(
        "{SET_REPORT_ID}#set($context.responseOverride.header.Location = \"{}\")\n{{\"reportId\": \"$reportId\", \"status\": \"RUNNING\"}}",
        location("$context.path", "$reportId")
    )
}

/// The integration response for a StartExecution 4xx (Step Functions' errors are
/// 400s told apart by `__type`): a name already used is 409, throttling and the
/// running-executions quota are 503 (with `Retry-After`), anything else is our
/// misconfiguration, 502.
pub const START_REFUSED_RESPONSE: &str = "#set($type = \"$input.path('$.__type')\")\n#if($type.contains('ExecutionAlreadyExists'))\n#set($context.responseOverride.status = 409)\n{\"message\": \"This report was already started\"}\n#elseif($type.contains('Throttling') || $type.contains('ExecutionLimitExceeded'))\n{\"message\": \"Too many reports right now; try again shortly\"}\n#else\n#set($context.responseOverride.status = 502)\n{\"message\": \"The report could not be started\"}\n#end";

/// The integration response for a StartExecution 5xx: 503 with `Retry-After`.
pub const START_UNAVAILABLE_RESPONSE: &str =
    "{\"message\": \"The report service is unavailable; try again shortly\"}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_execution_after_the_extended_request_id_and_escapes_twice() {
        let text = start_execution_with_arn("arn:aws:states:us-east-1:123456789012:stateMachine:x");
        assert!(text.starts_with(SET_REPORT_ID));
        assert!(SET_REPORT_ID.contains("$context.extendedRequestId"));
        assert!(!text.contains("$context.requestId"), "a client can set it");
        assert!(text.contains("\"name\": \"$reportId\""));
        assert!(started_response().starts_with(SET_REPORT_ID));
        assert!(text.contains(
            "\"stateMachineArn\": \"arn:aws:states:us-east-1:123456789012:stateMachine:x\""
        ));
        assert!(text.contains(
            "$util.escapeJavaScript($util.escapeJavaScript($context.authorizer.claims.sub).replaceAll(\"\\\\'\", \"'\")).replaceAll(\"\\\\'\", \"'\")"
        ));
        assert!(text.contains("{\\\"dragon\\\":$util.escapeJavaScript($input.json('$'))"));
    }
}
