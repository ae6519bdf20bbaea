//! The sample data: `data/dragons.jsonl` holds valid, unique and awkward enough
//! records.

use std::collections::{BTreeMap, HashSet};

use dragons_contract::Dragon;
use dragons_harness::in_workspace;
use handlers::domain::validation::DragonValidator;

const DATA: &str = "data/dragons.jsonl";

/// The seed's record, byte for byte.
const ATLAS: &str = r#"{"dragon_name_str":"Atlas","family_str":"green","description_str":"Atlas was born in a lighthouse and has served as a\nguardian of its sailors ever since.","location_city_str":"anchorage","location_country_str":"usa","location_state_str":"alaska","location_neighborhood_str":"w fireweed ln"}"#;

fn text() -> String {
    let path = in_workspace(DATA);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dragons() -> Vec<Dragon> {
    text()
        .lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{DATA}:{}: {e}", i + 1))
        })
        .collect()
}

fn values(d: &Dragon) -> [&str; 7] {
    [
        &d.dragon_name_str,
        &d.family_str,
        &d.description_str,
        &d.location_city_str,
        &d.location_country_str,
        &d.location_state_str,
        &d.location_neighborhood_str,
    ]
}

#[test]
fn every_line_is_one_compact_valid_dragon() {
    let text = text();
    assert!(text.ends_with('\n'), "the last line has no line feed");
    let validator = DragonValidator::new().unwrap();
    let mut count = 0;
    for (i, line) in text.lines().enumerate() {
        let at = format!("{DATA}:{}", i + 1);
        // deny_unknown_fields: an extra or misspelt key fails here.
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{at}: {e}: {line}"));
        let dragon: Dragon = validator
            .validate(&value)
            .unwrap_or_else(|v| panic!("{at}: {v}"));
        // Compact, keys in field order, nothing escaped that need not be.
        assert_eq!(serde_json::to_string(&dragon).unwrap(), line, "{at}");
        count += 1;
    }
    assert!(count >= 51, "{count} records");
}

#[test]
fn atlas_comes_first_exactly() {
    let text = text();
    assert_eq!(text.lines().next(), Some(ATLAS));
    assert_eq!(dragons()[0].description_str.matches('\n').count(), 1);
}

#[test]
fn names_are_unique_case_insensitively() {
    let mut seen = HashSet::new();
    for dragon in dragons() {
        assert!(
            seen.insert(dragon.dragon_name_str.to_lowercase()),
            "{} appears twice",
            dragon.dragon_name_str
        );
    }
}

#[test]
fn awkward_values_are_present() {
    let dragons = dragons();
    let any_value =
        |test: &dyn Fn(&str) -> bool| dragons.iter().any(|d| values(d).into_iter().any(test));
    assert!(any_value(&|v| v.contains('\n')), "no line break");
    assert!(any_value(&|v| v.contains('\'')), "no apostrophe");
    assert!(any_value(&|v| v.contains('"')), "no double quote");
    assert!(any_value(&|v| v.contains('\\')), "no backslash");
    assert!(any_value(&|v| !v.is_ascii()), "no non-ASCII text");
    assert!(
        any_value(&|v| v.chars().any(|c| c > '\u{FFFF}')),
        "nothing outside the BMP (an emoji)"
    );
    let any = |test: &dyn Fn(&Dragon) -> bool| dragons.iter().any(test);
    assert!(
        any(&|d| d.dragon_name_str.contains('\'')),
        "no name with an apostrophe"
    );
    assert!(
        any(&|d| d.dragon_name_str.contains('"')),
        "no name with a double quote"
    );
    assert!(any(&|d| !d.dragon_name_str.is_ascii()), "no non-ASCII name");
    assert!(
        any(&|d| d.location_neighborhood_str.contains('\n')),
        "no neighbourhood with a line break"
    );
    assert!(
        any(&|d| d.location_state_str.is_empty() && d.location_country_str != "usa"),
        "no foreign place without a state"
    );
    assert!(
        dragons
            .iter()
            .filter(|d| d.description_str.contains('\n'))
            .count()
            >= 3,
        "fewer than three multi-line descriptions"
    );
}

#[test]
fn families_are_shared_and_case_is_kept() {
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    let dragons = dragons();
    for dragon in &dragons {
        *families.entry(&dragon.family_str).or_default() += 1;
    }
    assert!(
        families.get("red").copied().unwrap_or(0) >= 6,
        "{families:?}"
    );
    assert!(
        families.get("gold").copied().unwrap_or(0) >= 4,
        "{families:?}"
    );
    assert!(
        families.contains_key("Red"),
        "no capitalised Red: {families:?}"
    );
    assert!(families.len() >= 10, "{families:?}");
}

#[test]
fn blue_records_are_quote_free() {
    let blue: Vec<Dragon> = dragons()
        .into_iter()
        .filter(|d| d.family_str.eq_ignore_ascii_case("blue"))
        .collect();
    assert!(blue.len() >= 5, "{} blue records", blue.len());
    for dragon in &blue {
        for value in values(dragon) {
            assert!(
                !value.contains(['\'', '"']),
                "{}: {value:?} has a quote",
                dragon.dragon_name_str
            );
        }
    }
}
