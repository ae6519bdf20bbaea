//! Values as a reviewer reads them on one line: intrinsic functions in their short
//! form (`!Ref X`, `!GetAtt X.Arn`), other JSON compact, long values cut (never the
//! whole document).

use serde_json::Value;

/// The longest value shown, in characters.
pub const MAX_CHARS: usize = 72;

/// Characters of common text kept before the first difference of two long values.
const CONTEXT: usize = 12;

/// `value` on one line, at most [`MAX_CHARS`] long.
pub fn short(value: &Value) -> String {
    cut(&one_line(value))
}

/// Two values on one line each; when both are long, each starts a little before
/// their first difference, so the difference shows.
pub fn short_pair(old: Option<&Value>, new: Option<&Value>) -> (Option<String>, Option<String>) {
    let (Some(old), Some(new)) = (old.map(one_line), new.map(one_line)) else {
        return (old.map(short), new.map(short));
    };
    let (a, b): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if (a.len() > MAX_CHARS || b.len() > MAX_CHARS) && common > 2 * CONTEXT {
        let from = common - CONTEXT;
        let tail = |chars: &[char]| cut(&format!("…{}", chars[from..].iter().collect::<String>()));
        return (Some(tail(&a)), Some(tail(&b)));
    }
    (Some(cut(&old)), Some(cut(&new)))
}

/// `value` on one line, uncut.
pub fn one_line(value: &Value) -> String {
    if let Some((name, argument)) = value
        .as_object()
        .filter(|object| object.len() == 1)
        .and_then(|object| object.iter().next())
    {
        match (name.as_str(), argument) {
            ("Ref", Value::String(target)) => return format!("!Ref {target}"),
            ("Fn::GetAtt", Value::Array(parts)) => {
                let parts: Vec<String> = parts.iter().map(plain).collect();
                return format!("!GetAtt {}", parts.join("."));
            }
            ("Fn::GetAtt", Value::String(target)) => return format!("!GetAtt {target}"),
            ("Fn::Sub", Value::String(_)) => return format!("!Sub {}", json(argument)),
            ("Fn::Sub", Value::Array(parts)) if !parts.is_empty() => {
                return format!("!Sub {} (with variables)", json(&parts[0]));
            }
            _ => {}
        }
    }
    json(value)
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => one_line(other),
    }
}

fn json(value: &Value) -> String {
    // A Value always serializes; the fallback only keeps this total.
    serde_json::to_string(value).unwrap_or_else(|_| String::from("<unprintable>"))
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_CHARS - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shows_intrinsics_short() {
        assert_eq!(short(&json!({"Ref": "Bucket"})), "!Ref Bucket");
        assert_eq!(
            short(&json!({"Fn::GetAtt": ["Role", "Arn"]})),
            "!GetAtt Role.Arn"
        );
        assert_eq!(
            short(&json!({"Fn::Sub": "${Bucket.Arn}/*"})),
            "!Sub \"${Bucket.Arn}/*\""
        );
        assert_eq!(short(&json!(128)), "128");
        assert_eq!(short(&json!(["email"])), "[\"email\"]");
    }

    #[test]
    fn cuts_long_values() {
        let long = json!("x".repeat(500));
        let shown = short(&long);
        assert_eq!(shown.chars().count(), MAX_CHARS);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn long_pairs_start_near_their_difference() {
        let prefix = "The dragon {} was not added, because the report said: ".repeat(2);
        let (old, new) = short_pair(
            Some(&json!(format!("{prefix}$.error.Cause"))),
            Some(&json!(format!("{prefix}$.reason.errorMessage"))),
        );
        let (old, new) = (old.unwrap(), new.unwrap());
        assert!(
            old.starts_with('…') && old.contains("$.error.Cause"),
            "{old}"
        );
        assert!(new.contains("$.reason.errorMessage"), "{new}");
        assert_eq!(short_pair(None, Some(&json!(1))), (None, Some("1".into())));
    }
}
