//! The JSONata evaluator: `$states`, variables, templates, and the Step Functions
//! functions with the examples of the guide's "JSONata functions provided by Step
//! Functions" section.

use serde_json::{Value, json};

use super::{Evaluator, States, reads_context};
use crate::errors;
use crate::interpret::context::Context;
use crate::interpret::runner::TaskError;
use crate::interpret::variables::Variables;
use crate::model::JsonAtaCondition;

fn evaluate(expression: &str) -> Result<Value, TaskError> {
    let input = json!({"title": "Doctor", "content": "input data", "seed": 7});
    Evaluator::new(States::input(&input), &Context::for_tests()).evaluate("Output", expression)
}

#[test]
fn states_input_and_context_are_bound() {
    assert_eq!(evaluate("$states.input.title"), Ok(json!("Doctor")));
    assert_eq!(
        evaluate("$states.context.State.Name"),
        Ok(json!("TestState"))
    );
    // The context is bound whenever an expression may reach it, however it does.
    for reaching in [
        "$lookup($states, 'context').State.Name",
        "($s := $states; $s.context.State.Name)",
        "$states.inputs ? 1 : $states.context.State.Name",
    ] {
        assert_eq!(evaluate(reaching), Ok(json!("TestState")), "{reaching}");
    }
    assert_eq!(
        evaluate("$keys($states)").map(|keys| keys.as_array().map(Vec::len)),
        Ok(Some(2))
    );
}

#[test]
fn the_context_is_left_out_only_where_every_states_reads_a_named_field() {
    assert!(!reads_context(
        "$states.input.a & $states.result & $states.errorOutput.Error"
    ));
    for reaching in [
        "$states",
        "$states.context",
        "$states.input.a & $states",
        "$states.inputs",
        "$states['context']",
        "$each($states, function($v) { $v })",
    ] {
        assert!(reads_context(reaching), "{reaching}");
    }
}

#[test]
fn templates_evaluate_expressions_at_any_depth_and_keep_other_strings() {
    let mut scope = Variables::new(None);
    scope.set(
        json!({"customerName": "María"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    let context = Context {
        variables: Some(&scope),
        ..Context::for_tests()
    };
    let input = json!({"title": "Doctor"});
    let evaluator = Evaluator::new(States::input(&input), &context);
    // The guide's JSONPath-to-JSONata conversion example.
    let arguments = json!({"static": "Hello", "title": "{% $states.input.title %}",
                           "name": "{% $customerName %}", "not-evaluated": "$customerName",
                           "list": ["{% 1 + 1 %}", 3]});
    assert_eq!(
        evaluator.template("Arguments", &arguments),
        Ok(
            json!({"static": "Hello", "title": "Doctor", "name": "María",
                  "not-evaluated": "$customerName", "list": [2, 3]})
        )
    );
}

#[test]
fn step_functions_functions_give_the_guide_results() {
    assert_eq!(
        evaluate("$partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)"),
        Ok(json!([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))
    );
    assert_eq!(evaluate("$range(0, 10, 2)"), Ok(json!([0, 2, 4, 6, 8, 10])));
    // `sha256sum` of the text.
    assert_eq!(
        evaluate("$hash($states.input.content, 'SHA-256')"),
        Ok(json!(
            "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"
        ))
    );
    assert_eq!(
        evaluate("$parse('{\"a\": [1, {\"b\": null}]}')"),
        Ok(json!({"a": [1, {"b": null}]}))
    );
    let seeded = evaluate("$random($states.input.seed)");
    assert_eq!(seeded, evaluate("$random(7)"));
    assert!(seeded.is_ok_and(|n| n.as_f64().is_some_and(|n| (0.0..1.0).contains(&n))));
    assert!(evaluate("$random()").is_ok_and(|n| n.is_number()));
    let uuid = evaluate("$uuid()");
    assert!(
        uuid.as_ref().is_ok_and(|u| u
            .as_str()
            .is_some_and(|u| u.len() == 36 && &u[14..15] == "4")),
        "{uuid:?}"
    );
}

#[test]
fn failures_and_undefined_results_are_query_evaluation_errors() {
    for expression in [
        "$states.input.missing",
        "1 +",
        "$partition([1], 0)",
        "$parse('{')",
    ] {
        let error = evaluate(expression).map_err(|e| e.error);
        assert_eq!(
            error,
            Err(errors::QUERY_EVALUATION_ERROR.to_owned()),
            "{expression}"
        );
    }
    let cause = evaluate("$states.input.missing").err().map(|e| e.cause);
    assert_eq!(
        cause.as_deref(),
        Some(
            "The JSONata expression '$states.input.missing' specified for the field 'Output' \
             returned nothing (undefined)"
        )
    );
}

#[test]
fn conditions_must_be_booleans() {
    let input = json!({"n": 2});
    let evaluator = Evaluator::new(States::input(&input), &Context::for_tests());
    let expression = |text: &str| JsonAtaCondition::Expression(text.to_owned());
    assert_eq!(
        evaluator.condition("C", &expression("{% $states.input.n > 1 %}")),
        Ok(true)
    );
    assert_eq!(
        evaluator.condition("C", &JsonAtaCondition::Boolean(false)),
        Ok(false)
    );
    for not_a_boolean in ["{% $states.input.n %}", "true"] {
        let error = evaluator
            .condition("C", &expression(not_a_boolean))
            .map_err(|e| e.error);
        assert_eq!(error, Err(errors::QUERY_EVALUATION_ERROR.to_owned()));
    }
}
