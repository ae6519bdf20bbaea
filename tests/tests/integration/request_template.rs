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

/// Property test against the mapping's specification (`PROPTEST_CASES` cases, 256
/// by default, rendered in one airspeed run): for random dragons, claims and
/// extended request ids (any characters: quotes, backslashes, controls, `$`, `#`,
/// non-ASCII, astral), the request is valid JSON; its input is exactly the
/// `Report`; its name is the URL-safe, unpadded base64 of the id's UTF-8 (so ids
/// and names are one to one) within Step Functions' rules; and the 202 answers
/// with that id and `Location`.
#[test]
fn random_reports_render_as_the_specification_says() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};

    fn text(max: usize) -> impl Strategy<Value = String> {
        let awkward = prop::sample::select(vec![
            '"',
            '\'',
            '\\',
            '/',
            '$',
            '#',
            '{',
            '}',
            '(',
            ')',
            '\n',
            '\r',
            '\t',
            '\u{0}',
            '\u{1f}',
            '\u{7f}',
            '\u{2028}',
            '\u{2029}',
            '\u{e9}',
            '\u{6771}',
            '\u{1f409}',
            '\u{202e}',
            '\u{feff}',
            '\u{ffff}',
        ]);
        let one =
            prop_oneof![3 => any::<char>(), 2 => awkward, 2 => proptest::char::range('a', 'z')];
        prop::collection::vec(one, 0..=max).prop_map(|chars| chars.into_iter().collect())
    }

    let fields = [
        "dragon_name_str",
        "family_str",
        "description_str",
        "location_city_str",
        "location_country_str",
        "location_state_str",
        "location_neighborhood_str",
    ];
    // Up to 15 characters of at most 4 bytes: a name of at most 80 characters.
    let case = (
        prop::collection::vec(text(12), fields.len()),
        text(12),
        text(12),
        text(15).prop_filter("API Gateway always sets an id", |id| !id.is_empty()),
    );
    let config = Config::default();
    let mut runner = TestRunner::new(config.clone());
    let drawn: Vec<_> = (0..config.cases)
        .map(|_| case.new_tree(&mut runner).unwrap().current())
        .collect();
    let inputs: Vec<Value> = drawn
        .iter()
        .map(|(values, sub, username, id)| {
            let body: serde_json::Map<String, Value> = fields
                .iter()
                .zip(values)
                .map(|(field, value)| ((*field).to_owned(), Value::from(value.as_str())))
                .collect();
            json!({
                "body": Value::Object(body).to_string(),
                "claims": { "sub": sub, "cognito:username": username },
                "extendedRequestId": id,
                "requestId": "chosen-by-the-client",
                "path": "/v1/dragons",
            })
        })
        .collect();
    let requests = render(&start_execution_with_arn(ARN), &inputs);
    let answers = render(&started_response(), &inputs);
    for (((input, (_, sub, username, id)), request), answer) in
        inputs.iter().zip(&drawn).zip(&requests).zip(&answers)
    {
        let start: Value = serde_json::from_str(&request.text)
            .unwrap_or_else(|e| panic!("{input}: not JSON ({e}):\n{}", request.text));
        let expected = Report {
            dragon: serde_json::from_str(input["body"].as_str().unwrap()).unwrap(),
            reporter: Reporter {
                sub: sub.clone(),
                username: username.clone(),
            },
        };
        let report: Value = serde_json::from_str(start["input"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("{input}: input not JSON ({e}): {start}"));
        assert_eq!(report, serde_json::to_value(&expected).unwrap(), "{input}");
        let name = URL_SAFE_NO_PAD.encode(id.as_bytes());
        assert_eq!(start["name"], name.as_str(), "{input}");
        assert!(
            is_execution_name(&name) && is_report_id(&name),
            "{input}: {name}"
        );
        assert_eq!(start["stateMachineArn"], ARN);
        assert_eq!(start.as_object().unwrap().len(), 3, "{start}");
        let body: Value = serde_json::from_str(&answer.text)
            .unwrap_or_else(|e| panic!("{input}: answer not JSON ({e}): {}", answer.text));
        assert_eq!(
            body,
            json!({"reportId": name, "status": "RUNNING"}),
            "{input}"
        );
        assert_eq!(
            answer.headers["Location"],
            format!("/v1/dragons/reports/{name}"),
            "{input}"
        );
    }
    assert_eq!(requests.len(), config.cases as usize);
}
