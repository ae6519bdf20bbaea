//! The `POST /dragons` mapping templates, rendered by a real Velocity engine
//! (airspeed-ext) with API Gateway's `$util`, `$input` and `$context`: for awkward
//! bodies, claims and request ids the request must be a valid `StartExecution` whose
//! input is exactly the workflow's `Report` and whose name obeys Step Functions'
//! rules; the answers must be the 202, 409, 502 or 503 the route documents.

use dragons_contract::{Report, Reporter, report_status::is_report_id};
use serde_json::{Value, json};
use stack_gen::stack::request_template::{
    START_REFUSED_RESPONSE, START_UNAVAILABLE_RESPONSE, start_execution_with_arn, started_response,
};

use dragons_harness::in_workspace;
use dragons_harness::tools::{Tool, arg};

const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:dragons-report-dragon";

fn dragon(name: &str, description: &str) -> Value {
    json!({
        "dragon_name_str": name,
        "family_str": "red",
        "description_str": description,
        "location_city_str": "Zürich",
        "location_country_str": "switzerland",
        "location_state_str": "",
        "location_neighborhood_str": "kreis 4\nlangstrasse"
    })
}

/// What the engine made of one case.
struct Rendered {
    text: String,
    status: Option<u16>,
    headers: serde_json::Map<String, Value>,
}

/// `template` rendered for each case (`{"body", "claims", "extendedRequestId", "path"}`).
fn render(template: &str, cases: &[Value]) -> Vec<Rendered> {
    let request = json!({ "template": template, "cases": cases });
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), request.to_string()).unwrap();
    let script = in_workspace("tests/python/render_vtl.py");
    let run = Tool::VelocityPython
        .run([arg(&script), arg(file.path())])
        .unwrap();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let rendered: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rendered.len(), cases.len());
    rendered
        .into_iter()
        .map(|case| Rendered {
            text: case["text"].as_str().unwrap().to_owned(),
            status: case["status"].as_u64().map(|s| u16::try_from(s).unwrap()),
            headers: case["headers"].as_object().cloned().unwrap_or_default(),
        })
        .collect()
}

/// Step Functions' execution name rules: 1–80 characters, none of white space,
/// `< > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /`, nor control characters.
fn is_execution_name(name: &str) -> bool {
    let forbidden = " <>{}[]?*\"#%\\^|~`$&,;:/";
    (1..=80).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| !forbidden.contains(c) && !c.is_control() && !c.is_whitespace())
}

/// Extended request ids: API Gateway's own shape, and hostile ones (which it never
/// makes, but nothing in the template may assume that).
const REQUEST_IDS: [&str; 8] = [
    "Uvj8IE6dIAMFpjQ=",
    "BTj6wFfwIAMF+r/=",
    "a\"b\\c/d e",
    "\"}, \"name\": \"chosen",
    "${context.requestId} #set($x = 1)",
    "東京🐉\u{202e}rtl",
    "../../executions/x?y=1&z=%2F",
    "line\nbreak\ttab\u{0}nul",
];

#[test]
fn rendered_template_starts_the_execution_with_exactly_the_report() {
    let cases = [
        (dragon("Atlas", "plain"), "sub-1", "alice"),
        (
            dragon("O'Brien", "she said \"hi\" and left"),
            "sub-2",
            "o'neil",
        ),
        (
            dragon("Back\\slash", "C:\\dragons\\lair and a/slash"),
            "sub-\"3\"",
            "b\\ob",
        ),
        (
            dragon("東京の竜", "ünïcödé 🐉 and a\ttab\r\nand CRLF"),
            "sub-4",
            "zoë",
        ),
        (
            dragon("</script>", "${not.a.variable} $input #set($x = 1)"),
            "sub-5",
            "$context",
        ),
    ];
    let inputs: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(n, (body, sub, username))| {
            json!({
                "body": body.to_string(),
                "claims": { "sub": sub, "cognito:username": username },
                "extendedRequestId": REQUEST_IDS[n],
                // A client can set the plain request id: it must not name anything.
                "requestId": "chosen-by-the-client",
            })
        })
        .collect();
    let rendered = render(&start_execution_with_arn(ARN), &inputs);
    let mut names = std::collections::BTreeSet::new();
    for (n, ((body, sub, username), rendered)) in cases.iter().zip(&rendered).enumerate() {
        let text = &rendered.text;
        let start: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("case {n}: {e}\n{text}"));
        let name = start["name"].as_str().unwrap();
        assert!(
            is_execution_name(name) && is_report_id(name),
            "case {n}: {name}"
        );
        assert!(
            !name.contains("chosen"),
            "case {n}: the client chose {name}"
        );
        names.insert(name.to_owned());
        assert_eq!(start["stateMachineArn"], ARN);
        assert_eq!(start.as_object().unwrap().len(), 3, "{start}");
        let input: Value = serde_json::from_str(start["input"].as_str().unwrap()).unwrap();
        let expected = Report {
            dragon: body.clone(),
            reporter: Reporter {
                sub: (*sub).to_owned(),
                username: (*username).to_owned(),
            },
        };
        assert_eq!(input, serde_json::to_value(&expected).unwrap(), "case {n}");
    }
    assert_eq!(names.len(), cases.len(), "one name per request");
}

#[test]
fn every_request_id_makes_a_valid_name_and_the_same_id_in_the_answer() {
    let body = dragon("Atlas", "plain").to_string();
    let inputs: Vec<Value> = REQUEST_IDS
        .iter()
        .map(|id| {
            json!({
                "body": body,
                "claims": { "sub": "sub-1", "cognito:username": "alice" },
                "extendedRequestId": id,
                "path": "/v1/dragons",
            })
        })
        .collect();
    let requests = render(&start_execution_with_arn(ARN), &inputs);
    let started: Vec<Value> = inputs
        .iter()
        .map(|input| {
            let mut answer = input.clone();
            answer["body"] = json!({"executionArn": "arn:x", "startDate": 1.5})
                .to_string()
                .into();
            answer
        })
        .collect();
    let answers = render(&started_response(), &started);
    for ((id, request), answer) in REQUEST_IDS.iter().zip(&requests).zip(&answers) {
        let start: Value = serde_json::from_str(&request.text)
            .unwrap_or_else(|e| panic!("{id:?}: {e}\n{}", request.text));
        let name = start["name"].as_str().unwrap();
        assert!(
            is_execution_name(name) && is_report_id(name),
            "{id:?}: {name}"
        );
        let body: Value = serde_json::from_str(&answer.text)
            .unwrap_or_else(|e| panic!("{id:?}: {e}\n{}", answer.text));
        assert_eq!(
            body,
            json!({"reportId": name, "status": "RUNNING"}),
            "{id:?}"
        );
        assert_eq!(answer.status, None, "202, as mapped");
        assert_eq!(
            answer.headers["Location"],
            format!("/v1/dragons/reports/{name}"),
            "{id:?}"
        );
    }
}

#[test]
fn start_execution_errors_become_the_answers_the_route_documents() {
    let cases = [
        (
            "ExecutionAlreadyExists",
            Some(409),
            "This report was already started",
        ),
        (
            "ThrottlingException",
            None,
            "Too many reports right now; try again shortly",
        ),
        (
            "ExecutionLimitExceeded",
            None,
            "Too many reports right now; try again shortly",
        ),
        (
            "StateMachineDoesNotExist",
            Some(502),
            "The report could not be started",
        ),
        (
            "InvalidExecutionInput",
            Some(502),
            "The report could not be started",
        ),
        ("", Some(502), "The report could not be started"),
    ];
    let inputs: Vec<Value> = cases
        .iter()
        .map(|(kind, _, _)| json!({"body": json!({"__type": kind, "message": "m"}).to_string()}))
        .collect();
    for ((kind, status, message), answer) in
        cases.iter().zip(render(START_REFUSED_RESPONSE, &inputs))
    {
        // No override: the integration response's own 503 (with Retry-After).
        assert_eq!(answer.status, *status, "{kind}");
        let body: Value =
            serde_json::from_str(&answer.text).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(body, json!({ "message": message }), "{kind}");
    }
    let unavailable: Value = serde_json::from_str(START_UNAVAILABLE_RESPONSE).unwrap();
    assert!(unavailable["message"].is_string());
}
