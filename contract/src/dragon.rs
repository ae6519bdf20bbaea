//! The dragon record: seven string fields, with the limits every writer enforces.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::name::PATTERN as NAME;

/// No control characters at all (single-line fields).
const SINGLE_LINE: &str = r"^[^\u0000-\u001F\u007F]*$";
/// No control characters except line feeds and carriage returns (multi-line fields).
const MULTI_LINE: &str = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F]*$";

/// The JSON names of the fields the stores and engines read by name (the others
/// they only carry).
pub mod fields {
    /// The name, which names are unique by the key of.
    pub const NAME: &str = "dragon_name_str";
    /// The family.
    pub const FAMILY: &str = "family_str";
}

/// The longest `dragon_name_str`, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// The longest `family_str`, in characters.
pub const MAX_FAMILY_CHARS: usize = 40;

/// One dragon, as stored in the data object and as reported through `POST /dragons`.
///
/// The field limits below are the single source of truth: the API Gateway request
/// model and the Lambdas' validation are both generated from them. Each field's
/// `title` is its label for people (the web app's form and cards read it from the
/// schema), and the declaration order is the reading order (the schema's `required`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Dragon", description = "A dragon sighting report.")]
pub struct Dragon {
    /// The dragon's name: unique by its key (compatibility-normalized, case-folded); no
    /// control, format or invisible characters.
    #[schemars(title = "Name", length(min = 1, max = MAX_NAME_CHARS), regex(pattern = NAME))]
    pub dragon_name_str: String,
    /// The family (for example `red`).
    #[schemars(title = "Family", length(min = 1, max = MAX_FAMILY_CHARS), regex(pattern = SINGLE_LINE))]
    pub family_str: String,
    /// Free text; may span lines.
    #[schemars(title = "Description", length(min = 1, max = 2000), regex(pattern = MULTI_LINE))]
    pub description_str: String,
    /// City where the dragon lives.
    #[schemars(title = "City", length(min = 1, max = 100), regex(pattern = SINGLE_LINE))]
    pub location_city_str: String,
    /// Country where the dragon lives.
    #[schemars(title = "Country", length(min = 1, max = 100), regex(pattern = SINGLE_LINE))]
    pub location_country_str: String,
    /// State or region; empty where a country has none.
    #[schemars(title = "State or region", length(max = 100), regex(pattern = SINGLE_LINE))]
    pub location_state_str: String,
    /// Neighbourhood; may be empty and may span lines.
    #[schemars(title = "Neighbourhood", length(max = 200), regex(pattern = MULTI_LINE))]
    pub location_neighborhood_str: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_constants_are_the_record_s_json_names() {
        let dragon = Dragon {
            dragon_name_str: "Atlas".into(),
            family_str: "red".into(),
            description_str: "d".into(),
            location_city_str: "c".into(),
            location_country_str: "k".into(),
            location_state_str: String::new(),
            location_neighborhood_str: String::new(),
        };
        let json = serde_json::to_value(&dragon).unwrap();
        assert_eq!(json[fields::NAME], "Atlas");
        assert_eq!(json[fields::FAMILY], "red");
    }
}
