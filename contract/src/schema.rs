//! The JSON Schema (draft 4, as API Gateway models require) generated from [`Dragon`].

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::Dragon;

/// The meta-schema URI API Gateway expects in a model.
pub const DRAFT_04: &str = "http://json-schema.org/draft-04/schema#";

/// The request model for `POST /dragons`, as a JSON Schema draft 4 document.
///
/// Generated with draft-07 settings (whose keywords for this type are all draft-4
/// keywords: `type`, `properties`, `required`, `additionalProperties`,
/// `minLength`, `maxLength`, `pattern`) and labelled draft 4.
pub fn dragon_schema() -> Value {
    let mut settings = SchemaSettings::draft07();
    settings.meta_schema = Some(DRAFT_04.into());
    settings
        .into_generator()
        .into_root_schema_for::<Dragon>()
        .to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyword the schema may use: the draft-4 vocabulary API Gateway accepts.
    const DRAFT_04_KEYWORDS: &[&str] = &[
        "$schema",
        "title",
        "description",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "minLength",
        "maxLength",
        "pattern",
    ];

    fn keywords(schema: &Value, found: &mut Vec<String>) {
        if let Value::Object(map) = schema {
            for (key, value) in map {
                found.push(key.clone());
                if key == "properties" {
                    if let Value::Object(properties) = value {
                        properties.values().for_each(|p| keywords(p, found));
                    }
                } else {
                    keywords(value, found);
                }
            }
        }
    }

    #[test]
    fn schema_is_draft_4_and_closed() {
        let schema = dragon_schema();
        assert_eq!(schema["$schema"], DRAFT_04);
        assert_eq!(schema["additionalProperties"], Value::Bool(false));
        let required = schema["required"].as_array().unwrap();
        assert_eq!(required.len(), 7, "all seven fields are required");
        let mut found = Vec::new();
        keywords(&schema, &mut found);
        for keyword in found {
            assert!(
                DRAFT_04_KEYWORDS.contains(&keyword.as_str()),
                "keyword {keyword} is not in the draft-4 subset"
            );
        }
    }

    #[test]
    fn every_field_is_a_bounded_string() {
        let schema = dragon_schema();
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(properties.len(), 7);
        for (name, property) in properties {
            assert_eq!(property["type"], "string", "{name}");
            assert!(
                property["maxLength"].as_u64().is_some(),
                "{name} has no maxLength"
            );
            assert!(property["pattern"].is_string(), "{name} has no pattern");
        }
    }
}
