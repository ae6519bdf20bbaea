//! S3 Select SQL for a [`DragonQuery`] over JSON Lines: values only ever appear as
//! string literals with `'` doubled, so no query value can change the statement.
//!
//! The family is compared exactly, in SQL. A name matches by its key (NFKC, then
//! case folding: [`dragons_contract::name`]), which S3 Select's SQL cannot compute, so
//! the statement holds a coarse name condition that every record of that key meets,
//! and the engine checks the key of each record S3 Select returns. The condition
//! rests on one fact: an ASCII name's key is its ASCII lower case. So a record of the
//! wanted key either has an ASCII name equal to the key in lower case (`LOWER`), or a
//! name with a character beyond ASCII (`SUBSTRING(name, i, 1) > '~'` at some position
//! up to [`CHECKED_POSITIONS`]), or a name longer than that (`CHAR_LENGTH`). On data
//! of ASCII names it narrows S3 Select's answer to the one name; a name with other
//! characters always reaches the exact check.

use dragons_contract::{
    DragonQuery,
    dragon::{MAX_NAME_CHARS, fields},
};

/// The `FROM` clause's table: JSON Lines records. S3 Select reads the name
/// `S3Object` without regard to case; we write it `s3object`, as the AWS CLI reference
/// does, which is also the spelling moto's parser accepts.
const TABLE: &str = "s3object s";

/// How many leading characters of a name the coarse condition looks at one by one
/// for a character beyond ASCII; a longer name always passes to the exact check. The
/// longest name the API accepts.
pub const CHECKED_POSITIONS: usize = MAX_NAME_CHARS;

/// A SQL string literal: wrapped in `'`, each `'` inside doubled.
pub fn string_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The terms that admit any name beyond ASCII or longer than [`CHECKED_POSITIONS`]:
/// `CHAR_LENGTH(…) > N OR SUBSTRING(…, 1, 1) > '~' OR …`.
pub fn beyond_ascii_terms() -> String {
    let name = fields::NAME;
    let mut terms = vec![format!("CHAR_LENGTH(s.{name}) > {CHECKED_POSITIONS}")];
    terms.extend(
        (1..=CHECKED_POSITIONS).map(|position| format!("SUBSTRING(s.{name}, {position}, 1) > '~'")),
    );
    terms.join(" OR ")
}

/// The coarse condition on the name for a wanted `key`: met by every name of that
/// key (and by few others on ASCII data).
fn name_condition(key: &str) -> String {
    if key.is_ascii() {
        format!(
            "(LOWER(s.{}) = {} OR {})",
            fields::NAME,
            string_literal(key),
            beyond_ascii_terms()
        )
    } else {
        // No ASCII name has a key beyond ASCII.
        format!("({})", beyond_ascii_terms())
    }
}

/// The `SELECT` for a query over JSON Lines data.
pub fn select_sql(query: &DragonQuery) -> String {
    let mut conditions = Vec::new();
    if let Some(key) = query.matcher().name_key() {
        conditions.push(name_condition(key));
    }
    if let Some(family) = query.family.as_deref() {
        conditions.push(format!("s.{} = {}", fields::FAMILY, string_literal(family)));
    }
    let mut sql = format!("SELECT * FROM {TABLE}");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: Option<&str>, family: Option<&str>) -> DragonQuery {
        DragonQuery {
            name: name.map(str::to_owned),
            family: family.map(str::to_owned),
        }
    }

    #[test]
    fn builds_the_exact_statements() {
        assert_eq!(select_sql(&query(None, None)), "SELECT * FROM s3object s");
        assert_eq!(
            select_sql(&query(None, Some("red"))),
            "SELECT * FROM s3object s WHERE s.family_str = 'red'"
        );
        let beyond = beyond_ascii_terms();
        assert!(beyond.starts_with(
            "CHAR_LENGTH(s.dragon_name_str) > 80 OR SUBSTRING(s.dragon_name_str, 1, 1) > '~' OR SUBSTRING(s.dragon_name_str, 2, 1) > '~' OR "
        ));
        assert!(beyond.ends_with(" OR SUBSTRING(s.dragon_name_str, 80, 1) > '~'"));
        assert_eq!(beyond.matches(" OR ").count(), CHECKED_POSITIONS);
        assert_eq!(
            select_sql(&query(Some("Atlas"), Some("red"))),
            format!(
                "SELECT * FROM s3object s WHERE (LOWER(s.dragon_name_str) = 'atlas' OR {beyond}) AND s.family_str = 'red'"
            )
        );
        // Full width: the key is ASCII; a key beyond ASCII has no LOWER term.
        assert_eq!(
            select_sql(&query(Some("ＡＴＬＡＳ"), None)),
            format!(
                "SELECT * FROM s3object s WHERE (LOWER(s.dragon_name_str) = 'atlas' OR {beyond})"
            )
        );
        assert_eq!(
            select_sql(&query(Some("Ærø"), None)),
            format!("SELECT * FROM s3object s WHERE ({beyond})")
        );
    }

    /// What S3 Select makes of the coarse name condition for `key`, on a record
    /// whose name is `name`: `LOWER` lowers ASCII letters (what it does beyond ASCII
    /// does not matter: such names meet a `SUBSTRING` term or the length term),
    /// `SUBSTRING(name, i, 1)` is the `i`th character or empty, and strings compare
    /// by character.
    fn admits(name: &str, key: &str) -> bool {
        let lower_equal = name.is_ascii() && key.is_ascii() && name.to_ascii_lowercase() == key;
        let longer = name.chars().count() > CHECKED_POSITIONS;
        let beyond = name.chars().take(CHECKED_POSITIONS).any(|c| c > '~');
        lower_equal || longer || beyond
    }

    #[test]
    fn the_coarse_condition_admits_every_spelling_of_a_key_and_narrows_ascii_data() {
        use dragons_contract::name::key;
        for (wanted, same) in [
            ("Heldout Name", "HELDOUT name"),
            ("Heldout Name", "ＨＥＬＤＯＵＴ ｎａｍｅ"),
            ("fire", "ﬁre"),
            ("Kelvin", "\u{212a}elvin"),
            ("strasse", "Straße"),
            ("Renée", "Rene\u{301}e"),
            ("O'Brien", "o'brien"),
        ] {
            assert_eq!(key(wanted), key(same));
            assert!(admits(same, &key(wanted)), "{same} for {wanted}");
            assert!(admits(wanted, &key(same)), "{wanted} for {same}");
        }
        for other in ["Heldout Names", "Atlas", "heldoutname"] {
            assert!(!admits(other, &key("Heldout Name")), "{other}");
        }
    }

    #[test]
    fn injection_attempts_stay_literals() {
        let cases = [
            ("' or '1'='1", "''' or ''1''=''1'"),
            ("O'Brien", "'O''Brien'"),
            ("\\", "'\\'"),
            ("x' --", "'x'' --'"),
            ("a'; DROP TABLE s; --", "'a''; DROP TABLE s; --'"),
            ("\u{2019}curly\u{2018}", "'\u{2019}curly\u{2018}'"),
            ("''", "''''''"),
        ];
        for (value, literal) in cases {
            assert_eq!(string_literal(value), literal, "{value}");
            let sql = select_sql(&query(None, Some(value)));
            assert_eq!(
                sql,
                format!("SELECT * FROM s3object s WHERE s.family_str = {literal}")
            );
            // Outside the literal, the statement is untouched: the literal ends the SQL.
            let inner = &literal[1..literal.len() - 1];
            assert!(
                !inner.replace("''", "").contains('\''),
                "{value}: an unpaired quote escaped"
            );
        }
    }

    /// Property tests against S3 Select's grammar for the statements built here
    /// (`PROPTEST_CASES` cases each, 256 by default): a string literal is `'`, then
    /// any characters with each `'` written `''`, then `'`; read back by a
    /// tokenizer of that grammar, every literal and statement gives back exactly
    /// the values it was built from and nothing else.
    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Strings of any characters, and strings made mostly of what quoting
        /// could trip on.
        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                "['\"\\\\ a-z\\n\\r\\t\u{2019}\u{0}-]{0,24}"
            ]
        }

        /// The literal at the start of `sql`, read by the grammar, and the rest.
        fn read_literal(sql: &str) -> Option<(String, &str)> {
            let mut rest = sql.strip_prefix('\'')?;
            let mut value = String::new();
            loop {
                let quote = rest.find('\'')?;
                value.push_str(&rest[..quote]);
                rest = &rest[quote + 1..];
                match rest.strip_prefix('\'') {
                    Some(after) => {
                        value.push('\'');
                        rest = after;
                    }
                    None => return Some((value, rest)),
                }
            }
        }

        /// The table and the conditions of a statement of the shape `select_sql`
        /// writes, read by the grammar; `None` if anything else is in it. The name
        /// condition reads as `("name", key)`, or `("name", "")` without its `LOWER`
        /// term.
        fn read_select(sql: &str) -> Option<(&str, Vec<(String, String)>)> {
            let rest = sql.strip_prefix("SELECT * FROM ")?;
            let (table, mut rest) = match rest.split_once(" WHERE ") {
                Some((table, conditions)) => (table, conditions),
                None => return Some((rest, Vec::new())),
            };
            let beyond = format!("{})", beyond_ascii_terms());
            let mut conditions = Vec::new();
            loop {
                let after = if let Some(group) = rest.strip_prefix('(') {
                    let (key, after) = match group.strip_prefix("LOWER(s.dragon_name_str) = ") {
                        Some(lower) => {
                            let (key, after) = read_literal(lower)?;
                            (key, after.strip_prefix(" OR ")?)
                        }
                        None => (String::new(), group),
                    };
                    conditions.push(("name".to_owned(), key));
                    after.strip_prefix(beyond.as_str())?
                } else {
                    let after = rest.strip_prefix("s.family_str = ")?;
                    let (value, after) = read_literal(after)?;
                    conditions.push(("family_str".to_owned(), value));
                    after
                };
                if after.is_empty() {
                    return Some((table, conditions));
                }
                rest = after.strip_prefix(" AND ")?;
            }
        }

        proptest! {
            #[test]
            fn a_literal_reads_back_as_its_value_and_nothing_more(value in value()) {
                let literal = string_literal(&value);
                prop_assert_eq!(read_literal(&literal), Some((value, "")));
            }

            #[test]
            fn a_statement_holds_its_values_and_nothing_else(
                name in prop::option::of(value()),
                family in prop::option::of(value()),
            ) {
                let sql = select_sql(&query(name.as_deref(), family.as_deref()));
                let (table, conditions) = read_select(&sql).ok_or_else(|| {
                    TestCaseError::fail(format!("not of the expected shape: {sql}"))
                })?;
                prop_assert_eq!(table, TABLE);
                let name_key = name.as_deref().map(dragons_contract::name::key);
                let name_term = name_key.map(|key| if key.is_ascii() { key } else { String::new() });
                let expected: Vec<(String, String)> = [("name", name_term), ("family_str", family)]
                    .into_iter()
                    .filter_map(|(field, value)| Some((field.to_owned(), value?)))
                    .collect();
                prop_assert_eq!(conditions, expected);
            }

            #[test]
            fn every_name_of_the_wanted_key_meets_the_coarse_condition(
                name in prop_oneof![
                    any::<String>(),
                    "[a-zA-Z ａ-ｚＡ-Ｚﬁﬂß\u{212a}\u{301}'\"-]{0,90}",
                ],
            ) {
                let key = dragons_contract::name::key(&name);
                prop_assert!(super::admits(&name, &key), "{:?}", name);
                // Any spelling of the same key, in upper or full-width case.
                let upper = name.to_uppercase();
                if dragons_contract::name::key(&upper) == key {
                    prop_assert!(super::admits(&upper, &key), "{:?}", upper);
                }
            }
        }
    }
}
