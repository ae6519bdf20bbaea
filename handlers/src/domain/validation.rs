//! Whether a reported dragon may be stored: the request model's JSON Schema (the
//! one API Gateway checks) applied again in the Lambda, with readable reasons.

use std::fmt;

use jsonschema::{Validator, error::ValidationErrorKind};
use serde_json::Value;

use dragons_contract::{Dragon, name, schema::dragon_schema};

/// The longest field name echoed back in a reason.
const MAX_ECHOED_NAME: usize = 64;

/// The generated schema did not compile (a bug in this crate, caught by its tests).
#[derive(Debug, thiserror::Error)]
#[error("the dragon schema does not compile: {0}")]
pub struct SchemaError(String);

/// Why a report was refused: every rule it breaks, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Rejection {
    /// One sentence per broken rule.
    pub reasons: Vec<String>,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reasons.join("; "))
    }
}

impl Rejection {
    /// A rejection for one reason.
    pub fn because(reason: impl Into<String>) -> Self {
        Self {
            reasons: vec![reason.into()],
        }
    }
}

/// Checks reports against the `Dragon` schema; build it once and reuse it.
#[derive(Debug)]
pub struct DragonValidator {
    schema: Validator,
}

impl DragonValidator {
    /// Compiles the request model (JSON Schema draft 4).
    pub fn new() -> Result<Self, SchemaError> {
        jsonschema::draft4::new(&dragon_schema())
            .map(|schema| Self { schema })
            .map_err(|error| SchemaError(error.to_string()))
    }

    /// Whether `report` satisfies the request model alone, as API Gateway checks it
    /// before the workflow starts.
    pub fn conforms(&self, report: &Value) -> bool {
        self.schema.is_valid(report)
    }

    /// The dragon in `report`, or every reason it may not be stored.
    pub fn validate(&self, report: &Value) -> Result<Dragon, Rejection> {
        let mut reasons: Vec<String> = self
            .schema
            .iter_errors(report)
            .map(|e| reason(e.kind(), &e.instance_path().to_string(), e.instance()))
            .collect();
        if reasons.is_empty() {
            // The schema and the type agree (tested), so this only fails if they drift.
            let dragon: Dragon = serde_json::from_value(report.clone())
                .map_err(|error| Rejection::because(format!("the dragon is malformed: {error}")))?;
            // The schema's pattern covers the Basic Multilingual Plane; the rest here.
            return match name::forbidden_char(&dragon.dragon_name_str) {
                Some(c) => Err(Rejection::because(invisible(c))),
                None => Ok(dragon),
            };
        }
        reasons.sort();
        reasons.dedup();
        Err(Rejection { reasons })
    }
}

/// The reason a name holding `c` is refused.
fn invisible(c: char) -> String {
    format!(
        "`dragon_name_str` contains a control, format or invisible character (U+{:04X})",
        u32::from(c)
    )
}

/// A readable sentence for one schema violation at `path` (`""` or `/field`) of
/// `instance`.
fn reason(kind: &ValidationErrorKind, path: &str, instance: &Value) -> String {
    let field = echoed(path.trim_start_matches('/'));
    match kind {
        ValidationErrorKind::Required { property } => {
            format!(
                "`{}` is missing",
                echoed(property.as_str().unwrap_or_default())
            )
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let names: Vec<String> = unexpected
                .iter()
                .map(|name| format!("`{}`", echoed(name)))
                .collect();
            format!("unknown field {}", names.join(", "))
        }
        ValidationErrorKind::MinLength { .. } => format!("`{field}` is empty"),
        ValidationErrorKind::MaxLength { limit } => {
            format!("`{field}` is longer than {limit} characters")
        }
        ValidationErrorKind::Pattern { .. } => {
            match instance.as_str().and_then(name::forbidden_char) {
                Some(c) if field == "dragon_name_str" => invisible(c),
                _ => format!("`{field}` contains a control character"),
            }
        }
        ValidationErrorKind::Type { .. } if field.is_empty() => {
            "the dragon is not a JSON object".to_owned()
        }
        ValidationErrorKind::Type { .. } => format!("`{field}` is not a string"),
        other => format!("`{field}` is invalid ({other:?})"),
    }
}

/// A name as echoed back: at most [`MAX_ECHOED_NAME`] characters, control characters escaped.
fn echoed(name: &str) -> String {
    name.chars()
        .take(MAX_ECHOED_NAME)
        .flat_map(char::escape_debug)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn atlas() -> Value {
        json!({
            "dragon_name_str": "Atlas",
            "family_str": "green",
            "description_str": "Atlas was born in a lighthouse and has served as a\nguardian of its sailors ever since.",
            "location_city_str": "anchorage",
            "location_country_str": "usa",
            "location_state_str": "alaska",
            "location_neighborhood_str": "w fireweed ln"
        })
    }

    fn reasons(report: &Value) -> Vec<String> {
        DragonValidator::new()
            .unwrap()
            .validate(report)
            .unwrap_err()
            .reasons
    }

    fn with(field: &str, value: Value) -> Value {
        let mut report = atlas();
        report[field] = value;
        report
    }

    #[test]
    fn a_valid_dragon_is_returned_typed() {
        let dragon = DragonValidator::new().unwrap().validate(&atlas()).unwrap();
        assert_eq!(dragon.dragon_name_str, "Atlas");
        assert!(dragon.description_str.contains('\n'));
    }

    #[test]
    fn names_with_invisible_or_format_characters_are_refused_with_the_character() {
        for (name, code) in [
            ("Atlas\u{200b}", "U+200B"),
            ("\u{202e}Atlas", "U+202E"),
            ("Atlas\u{85}", "U+0085"),
            ("Atlas\u{e0041}", "U+E0041"),
            ("At\u{ad}las", "U+00AD"),
        ] {
            assert_eq!(
                reasons(&with("dragon_name_str", json!(name))),
                [format!(
                    "`dragon_name_str` contains a control, format or invisible character ({code})"
                )],
                "{name:?}"
            );
        }
        // Other fields may hold them: right-to-left text needs its marks.
        let validator = DragonValidator::new().unwrap();
        assert!(
            validator
                .validate(&with("description_str", json!("שלום\u{200f} עולם")))
                .is_ok()
        );
        assert!(
            validator
                .validate(&with("dragon_name_str", json!("Ærø 🐉")))
                .is_ok()
        );
    }

    #[test]
    fn the_model_alone_is_the_schema() {
        let validator = DragonValidator::new().unwrap();
        assert!(validator.conforms(&atlas()));
        assert!(!validator.conforms(&with("family_str", json!(""))));
        assert!(!validator.conforms(&with("extra", json!("x"))));
        assert!(!validator.conforms(&json!("Atlas")));
    }

    #[test]
    fn each_rule_has_its_reason() {
        let mut missing = atlas();
        missing.as_object_mut().unwrap().remove("family_str");
        assert_eq!(reasons(&missing), ["`family_str` is missing"]);
        assert_eq!(
            reasons(&with("colour", json!("red"))),
            ["unknown field `colour`"]
        );
        assert_eq!(
            reasons(&with("family_str", json!(""))),
            ["`family_str` is empty"]
        );
        assert_eq!(
            reasons(&with("dragon_name_str", json!("x".repeat(81)))),
            ["`dragon_name_str` is longer than 80 characters"]
        );
        assert_eq!(
            reasons(&with("dragon_name_str", json!("two\nlines"))),
            ["`dragon_name_str` contains a control, format or invisible character (U+000A)"]
        );
        assert_eq!(
            reasons(&with("location_city_str", json!(7))),
            ["`location_city_str` is not a string"]
        );
        assert_eq!(
            reasons(&json!(["Atlas"])),
            ["the dragon is not a JSON object"]
        );
    }

    #[test]
    fn limits_count_characters_and_allow_newlines_only_where_documented() {
        let validator = DragonValidator::new().unwrap();
        assert!(
            validator
                .validate(&with("dragon_name_str", json!("é".repeat(80))))
                .is_ok()
        );
        assert!(
            validator
                .validate(&with("location_neighborhood_str", json!("a\r\nb")))
                .is_ok()
        );
        assert!(
            validator
                .validate(&with("location_state_str", json!("")))
                .is_ok()
        );
        assert!(
            validator
                .validate(&with("description_str", json!("tab\there")))
                .is_err()
        );
        assert!(
            validator
                .validate(&with("family_str", json!("red\u{7f}")))
                .is_err()
        );
    }

    #[test]
    fn every_broken_rule_is_reported_once_in_a_stable_order() {
        let mut report = with("family_str", json!(""));
        report["description_str"] = json!("y".repeat(2001));
        report["extra"] = json!(1);
        assert_eq!(
            reasons(&report),
            [
                "`description_str` is longer than 2000 characters",
                "`family_str` is empty",
                "unknown field `extra`",
            ]
        );
    }

    #[test]
    fn echoed_names_are_short_and_escaped() {
        let long = "k".repeat(500);
        let reason = &reasons(&with(&long, json!(1)))[0];
        assert!(reason.len() < 100, "{reason}");
        assert_eq!(reasons(&with("a\nb", json!(1))), ["unknown field `a\\nb`"]);
    }
}
