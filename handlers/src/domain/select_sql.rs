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
}
