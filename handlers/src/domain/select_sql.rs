//! S3 Select SQL for a [`DragonQuery`] over JSON Lines: values only ever appear as
//! string literals with `'` doubled, so no query value can change the statement.

use dragons_contract::DragonQuery;

/// The `FROM` clause's table: JSON Lines records. S3 Select reads the name
/// `S3Object` without regard to case; we write it `s3object`, as the AWS CLI reference
/// does, which is also the spelling moto's parser accepts.
const TABLE: &str = "s3object s";

/// A SQL string literal: wrapped in `'`, each `'` inside doubled.
pub fn string_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The `SELECT` for a query over JSON Lines data.
pub fn select_sql(query: &DragonQuery) -> String {
    let conditions: Vec<String> = [
        ("dragon_name_str", query.name.as_deref()),
        ("family_str", query.family.as_deref()),
    ]
    .into_iter()
    .filter_map(|(field, value)| value.map(|v| format!("s.{field} = {}", string_literal(v))))
    .collect();
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
        assert_eq!(
            select_sql(&query(Some("Atlas"), Some("red"))),
            "SELECT * FROM s3object s WHERE s.dragon_name_str = 'Atlas' AND s.family_str = 'red'"
        );
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
            let sql = select_sql(&query(Some(value), None));
            assert_eq!(
                sql,
                format!("SELECT * FROM s3object s WHERE s.dragon_name_str = {literal}")
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
        /// writes, read by the grammar; `None` if anything else is in it.
        fn read_select(sql: &str) -> Option<(&str, Vec<(String, String)>)> {
            let rest = sql.strip_prefix("SELECT * FROM ")?;
            let (table, mut rest) = match rest.split_once(" WHERE ") {
                Some((table, conditions)) => (table, conditions),
                None => return Some((rest, Vec::new())),
            };
            let mut conditions = Vec::new();
            loop {
                let (field, after) = rest.strip_prefix("s.")?.split_once(" = ")?;
                if !field.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    return None;
                }
                let (value, after) = read_literal(after)?;
                conditions.push((field.to_owned(), value));
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
                let expected: Vec<(String, String)> = [("dragon_name_str", name), ("family_str", family)]
                    .into_iter()
                    .filter_map(|(field, value)| Some((field.to_owned(), value?)))
                    .collect();
                prop_assert_eq!(conditions, expected);
            }
        }
    }
}
