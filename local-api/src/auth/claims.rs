//! The identity an accepted ID token carries, with all its claims rendered as
//! API Gateway hands them to the integration in
//! `requestContext.authorizer.claims`: every value a string.

use serde_json::{Map, Value};

use super::error::AuthError;

/// Who sent an accepted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The user's stable id (`sub`).
    pub sub: String,
    /// The user name (`cognito:username`).
    pub username: String,
    /// Every claim of the token, each value rendered as a string as API Gateway
    /// does (see [`api_gateway_claim_value`]): what the proxy event carries in
    /// `requestContext.authorizer.claims`.
    pub all: Map<String, Value>,
}

impl Claims {
    /// The identity in a verified token's claims. `sub` and `cognito:username`
    /// must be strings.
    pub(super) fn from_verified(claims: &Map<String, Value>) -> Result<Self, AuthError> {
        let sub = string_claim(claims, "sub")?;
        let username = string_claim(claims, "cognito:username")?;
        let all = claims
            .iter()
            .map(|(name, value)| {
                (
                    name.clone(),
                    Value::String(api_gateway_claim_value(name, value)),
                )
            })
            .collect();
        Ok(Self { sub, username, all })
    }

    /// One claim as API Gateway renders it, if the token has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.all.get(name).and_then(Value::as_str)
    }
}

fn string_claim(claims: &Map<String, Value>, name: &str) -> Result<String, AuthError> {
    match claims.get(name) {
        Some(Value::String(value)) => Ok(value.clone()),
        Some(_) => Err(AuthError::InvalidClaim(name.to_owned())),
        None => Err(AuthError::MissingClaim(name.to_owned())),
    }
}

/// A claim's value as API Gateway's Cognito authorizer passes it in
/// `requestContext.authorizer.claims` of a REST API proxy event, as observed on
/// real events:
///
/// - strings as they are; numbers and booleans as their JSON text
///   (`"auth_time": "1714565422"`, `"email_verified": "true"`);
/// - `exp` and `iat` as dates in the form `Wed May 01 13:10:22 UTC 2024`;
/// - arrays as their items separated by spaces in brackets
///   (`"cognito:groups": "[admins editors]"`);
/// - objects and `null` (not seen in Cognito ID tokens) as compact JSON text.
pub fn api_gateway_claim_value(name: &str, value: &Value) -> String {
    match (name, value) {
        ("exp" | "iat", Value::Number(number)) => match number.as_i64() {
            Some(seconds) => api_gateway_date(seconds),
            None => number.to_string(),
        },
        (_, Value::Array(items)) => {
            let items: Vec<String> = items.iter().map(scalar_text).collect();
            format!("[{}]", items.join(" "))
        }
        (_, value) => scalar_text(value),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Seconds since the Unix epoch as `Wed May 01 13:10:22 UTC 2024` (Java's
/// `Date.toString()` in UTC, which is what API Gateway writes).
fn api_gateway_date(seconds: i64) -> String {
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS
        .get(usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Sun");
    let month = MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday} {month} {day:02} {:02}:{:02}:{:02} UTC {year}",
        second_of_day / 3_600,
        second_of_day % 3_600 / 60,
        second_of_day % 60,
    )
}

/// The proleptic Gregorian (year, month 1–12, day 1–31) of a day count since
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dates_are_written_as_api_gateway_writes_them() {
        // exp and iat of a real API Gateway event, with its auth_time.
        assert_eq!(
            api_gateway_claim_value("exp", &json!(1_714_569_022)),
            "Wed May 01 13:10:22 UTC 2024"
        );
        assert_eq!(
            api_gateway_claim_value("iat", &json!(1_714_565_422)),
            "Wed May 01 12:10:22 UTC 2024"
        );
        assert_eq!(
            api_gateway_claim_value("auth_time", &json!(1_714_565_422)),
            "1714565422"
        );
        assert_eq!(api_gateway_date(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(
            api_gateway_date(951_782_400),
            "Tue Feb 29 00:00:00 UTC 2000"
        );
        assert_eq!(api_gateway_date(-1), "Wed Dec 31 23:59:59 UTC 1969");
    }

    #[test]
    fn other_values_become_strings() {
        assert_eq!(
            api_gateway_claim_value("email_verified", &json!(true)),
            "true"
        );
        assert_eq!(api_gateway_claim_value("sub", &json!("a-b")), "a-b");
        assert_eq!(
            api_gateway_claim_value("cognito:groups", &json!(["admins", "editors"])),
            "[admins editors]"
        );
        assert_eq!(api_gateway_claim_value("x", &json!({"a": 1})), r#"{"a":1}"#);
    }

    #[test]
    fn sub_and_username_must_be_strings() {
        let claims = json!({"sub": "s", "cognito:username": 7});
        let Value::Object(claims) = claims else {
            panic!("an object")
        };
        assert!(matches!(
            Claims::from_verified(&claims),
            Err(AuthError::InvalidClaim(name)) if name == "cognito:username"
        ));
        let mut claims = claims;
        claims.remove("sub");
        assert!(matches!(
            Claims::from_verified(&claims),
            Err(AuthError::MissingClaim(name)) if name == "sub"
        ));
    }
}
