//! The `POST /dragons` mapping template, rendered by a real Velocity engine
//! (airspeed-ext) with API Gateway's `$util.escapeJavaScript` and `$input.json`:
//! for awkward bodies and claims it must yield a valid `StartExecution` request
//! whose input is exactly the workflow's `Report`.

use dragons_contract::{Report, Reporter};
use serde_json::{Value, json};
use stack_gen::stack::request_template::start_execution_with_arn;

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
    let request = json!({
        "template": start_execution_with_arn(ARN),
        "cases": cases.iter().enumerate().map(|(n, (body, sub, username))| json!({
            "body": body.to_string(),
            "claims": { "sub": sub, "cognito:username": username },
            "requestId": format!("request-{n}"),
        })).collect::<Vec<_>>(),
    });
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), request.to_string()).unwrap();
    let script = in_workspace("tests/python/render_vtl.py");
    let run = Tool::VelocityPython
        .run([arg(&script), arg(file.path())])
        .unwrap();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let rendered: Vec<String> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rendered.len(), cases.len());
    for (n, ((body, sub, username), text)) in cases.iter().zip(&rendered).enumerate() {
        let start: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("case {n}: {e}\n{text}"));
        assert_eq!(start["name"], format!("request-{n}"));
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
}
