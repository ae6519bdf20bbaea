//! One source of truth for a valid dragon: the API Gateway model in the committed
//! template (checked by a draft-4 validator, as API Gateway does) and the Lambdas'
//! validation accept and refuse exactly the same bodies.

use dragons_contract::Dragon;
use handlers::domain::validation::DragonValidator;
use serde_json::{Value, json};

use crate::util::{resources_of_type, sample_records, template};

fn bodies() -> Vec<Value> {
    let atlas = sample_records()[0].clone();
    let with = |field: &str, value: Value| {
        let mut body = atlas.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = atlas.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let mut bodies = sample_records();
    bodies.extend([
        with("dragon_name_str", json!("")),
        with("dragon_name_str", json!("n".repeat(80))),
        with("dragon_name_str", json!("n".repeat(81))),
        with("dragon_name_str", json!("ö".repeat(80))),
        with("dragon_name_str", json!("two\nlines")),
        with("family_str", json!(42)),
        with("family_str", json!(null)),
        with("description_str", json!("d".repeat(2000))),
        with("description_str", json!("d".repeat(2001))),
        with("description_str", json!("crlf\r\nok")),
        with("description_str", json!("nul\u{0}")),
        with("location_state_str", json!("")),
        with("location_neighborhood_str", json!("a\nb")),
        with("location_neighborhood_str", json!("tab\t")),
        with("location_country_str", json!("")),
        with("extra", json!("x")),
        without("description_str"),
        without("location_state_str"),
        json!([]),
        json!("Atlas"),
        json!({}),
    ]);
    bodies
}

#[test]
fn the_api_model_and_the_lambda_validation_agree_on_every_body() {
    let template = template();
    let models = resources_of_type(&template, "AWS::ApiGateway::Model");
    assert_eq!(models.len(), 1);
    let schema = &models[0].1["Properties"]["Schema"];
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    let api_gateway = jsonschema::draft4::new(schema).unwrap();
    let lambda = DragonValidator::new().unwrap();
    let (mut accepted, mut refused) = (0, 0);
    for body in bodies() {
        let by_model = api_gateway.is_valid(&body);
        let by_lambda = lambda.validate(&body);
        assert_eq!(by_model, by_lambda.is_ok(), "{body}: {by_lambda:?}");
        if by_model {
            // What both accept, the Rust type reads too.
            serde_json::from_value::<Dragon>(body.clone()).unwrap();
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        accepted > 60 && refused >= 15,
        "accepted {accepted}, refused {refused}"
    );
}
