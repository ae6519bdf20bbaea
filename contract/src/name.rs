//! Dragon names: the key two names are compared by (names are unique by it), and
//! the characters a name may not hold.
//!
//! The key is the name in NFKC, then Unicode full case folding, then NFKC again (so
//! that a key is its own key): `Atlas`, `ATLAS`, `Ａｔｌａｓ` (full width) and
//! `ａtlas` are one name, and so are a precomposed letter and its decomposed spelling.
//! Names may not hold controls (C0, DEL, C1), format characters (Unicode category Cf:
//! zero-width spaces and joiners, bidi controls, the byte order mark, the soft
//! hyphen, tags) or line and paragraph separators: they are invisible, or change how
//! the text around them reads, so two names that look alike could differ only by
//! them.

use caseless::default_case_fold_str;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The key of `name`: NFKC, then full case folding, then NFKC.
pub fn key(name: &str) -> String {
    let compatible: String = name.nfkc().collect();
    default_case_fold_str(&compatible).nfkc().collect()
}

/// Whether `name`'s key is `key` (a key as [`key`] makes it: its own key), without
/// computing the key of an ASCII name: NFKC leaves ASCII as it is and case folding
/// lowers its letters, so an ASCII name's key is its ASCII lower case.
pub fn has_key(name: &str, key: &str) -> bool {
    if name.is_ascii() {
        name.len() == key.len()
            && name
                .bytes()
                .zip(key.bytes())
                .all(|(from_name, from_key)| from_name.to_ascii_lowercase() == from_key)
    } else {
        self::key(name) == key
    }
}

/// Whether a name may not hold `c`.
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}')
        || c.general_category() == GeneralCategory::Format
}

/// The first character of `name` a name may not hold, if any.
pub fn forbidden_char(name: &str) -> Option<char> {
    name.chars().find(|c| is_forbidden(*c))
}

/// The JSON Schema `pattern` (ECMA 262, UTF-16 escapes) refusing every forbidden
/// character of the Basic Multilingual Plane; the few forbidden characters above it
/// (Cf characters such as the tags U+E0020–U+E007F) are refused by the validator.
pub const PATTERN: &str = concat!(
    r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u0600-\u0605\u061C\u06DD\u070F",
    r"\u0890-\u0891\u08E2\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064",
    r"\u2066-\u206F\uFEFF\uFFF9-\uFFFB]*$"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_width_and_composition_do_not_make_another_name() {
        for spelling in ["Atlas", "ATLAS", "atlas", "Ａｔｌａｓ", "ａtlas"] {
            assert_eq!(key(spelling), "atlas", "{spelling}");
        }
        // Precomposed é and e + combining acute; the German sharp s folds to ss.
        assert_eq!(key("Ren\u{e9}e"), key("Rene\u{301}e"));
        assert_eq!(key("STRASSE"), key("straße"));
        assert_eq!(key("ǅemal"), key("DŽEMAL"));
        assert_ne!(key("Atlas"), key("Atlás"));
        assert_ne!(key("Atlas"), key("Atlas2"));
    }

    #[test]
    fn has_key_agrees_with_key() {
        let names = [
            "Atlas",
            "ATLAS",
            "atlas",
            "Ａｔｌａｓ",
            "ﬁre",
            "FIRE",
            "Fire",
            "Kelvin \u{212a}",
            "kelvin k",
            "Straße",
            "STRASSE",
            "Rene\u{301}e",
            "Ren\u{e9}e",
            "",
            "O'Brien",
            "o'brien",
        ];
        for name in names {
            for other in names {
                let wanted = key(other);
                assert_eq!(
                    has_key(name, &wanted),
                    key(name) == wanted,
                    "{name} {other}"
                );
            }
        }
    }

    #[test]
    fn a_key_is_its_own_key() {
        for name in [
            "Atlas",
            "Ａｔｌａｓ",
            "ẞ",
            "ﬁre",
            "İstanbul",
            "Ωμέγα",
            "ℌ",
            "㎒",
            "Ⅻ",
        ] {
            let once = key(name);
            assert_eq!(key(&once), once, "{name}");
        }
    }

    #[test]
    fn invisible_and_format_characters_are_forbidden() {
        for name in [
            "Atlas\u{200b}",
            "\u{200d}Atlas",
            "At\u{202e}las",
            "Atlas\u{2066}",
            "\u{feff}Atlas",
            "At\u{ad}las",
            "Atlas\u{85}",
            "Atlas\u{9f}",
            "Atlas\u{2028}",
            "Atlas\u{e0041}",
            "Atlas\u{7f}",
            "Atlas\n",
        ] {
            assert!(forbidden_char(name).is_some(), "{name:?}");
        }
        for name in [
            "Atlas",
            "Ærø",
            "Ωμέγα",
            "北京の竜",
            "🐉 Smok",
            "O'Brien \"the\" Red",
        ] {
            assert_eq!(forbidden_char(name), None, "{name}");
        }
    }

    /// The code points of the Basic Multilingual Plane that [`PATTERN`]'s class names.
    fn pattern_class() -> Vec<(u32, u32)> {
        let class = PATTERN
            .trim_start_matches("^[^")
            .trim_end_matches("]*$")
            .replace(r"-\u", "-")
            .replace(r"\u", " ");
        let mut ranges = Vec::new();
        for part in class.split_whitespace() {
            let (start, end) = part.split_once('-').unwrap_or((part, part));
            let (start, end) = (
                u32::from_str_radix(start, 16).unwrap(),
                u32::from_str_radix(end, 16).unwrap(),
            );
            ranges.push((start, end));
        }
        ranges
    }

    #[test]
    fn the_schema_pattern_refuses_exactly_the_forbidden_bmp_characters() {
        let class = pattern_class();
        for code in 0..=0xFFFF_u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let in_class = class
                .iter()
                .any(|(start, end)| (*start..=*end).contains(&code));
            assert_eq!(in_class, is_forbidden(c), "U+{code:04X}");
        }
    }
}
