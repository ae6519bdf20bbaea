//! A byte-level check that a record without escapes is a valid dragon record (a JSON
//! object naming `dragon_name_str` and `family_str` once each, with string values),
//! without decoding it: what lets the scan engine skip a record unparsed and still
//! report every malformed one.
//!
//! Conservative: it says yes only to what serde_json surely accepts (no escapes, no
//! exponent or long numbers, shallow nesting); anything else goes to the parser.

use dragons_contract::dragon::fields;

/// How deep objects and arrays may nest here (serde_json allows 128).
const MAX_DEPTH: usize = 32;
/// Longest number accepted here (so that none is out of `f64`'s range).
const MAX_NUMBER_LEN: usize = 15;

/// Whether `record`, which holds no backslash, is a JSON object whose top level has
/// `dragon_name_str` and `family_str` exactly once each, both strings.
pub fn is_valid_record(record: &[u8]) -> bool {
    if std::str::from_utf8(record).is_err() {
        return false;
    }
    let mut scan = Scan {
        bytes: record,
        at: 0,
    };
    scan.space();
    let Some((name, family)) = scan.top_object() else {
        return false;
    };
    scan.space();
    name == 1 && family == 1 && scan.at == record.len()
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A string without escapes; its content.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(&self.bytes[start..self.at - 1]);
                }
                b'\\' | 0..=0x1f => return None,
                _ => self.at += 1,
            }
        }
    }

    /// The top-level object: how often it names each of the two keys with a string.
    fn top_object(&mut self) -> Option<(usize, usize)> {
        let (mut name, mut family) = (0, 0);
        self.members(0, |key, is_string| {
            let count = if key == fields::NAME.as_bytes() {
                &mut name
            } else if key == fields::FAMILY.as_bytes() {
                &mut family
            } else {
                return Some(());
            };
            *count += 1;
            is_string.then_some(())
        })?;
        Some((name, family))
    }

    /// An object; `on_member` sees each key and whether its value is a string.
    fn members(
        &mut self,
        depth: usize,
        mut on_member: impl FnMut(&[u8], bool) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.space();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.space();
            let key = self.string()?;
            self.space();
            self.eat(b':')?;
            self.space();
            let is_string = self.peek() == Some(b'"');
            self.value(depth + 1)?;
            on_member(key, is_string)?;
            self.space();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => self.members(depth, |_, _| Some(())),
            b'[' => self.elements(depth),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'n' => self.word(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn elements(&mut self, depth: usize) -> Option<()> {
        self.eat(b'[')?;
        self.space();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.space();
            self.value(depth + 1)?;
            self.space();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn word(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, short (an exponent goes to the parser).
    fn number(&mut self) -> Option<()> {
        let start = self.at;
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            let before = self.at;
            self.digits();
            if self.at == before {
                return None;
            }
        }
        let short = self.at - start <= MAX_NUMBER_LEN;
        let ends = !matches!(self.peek(), Some(b'e' | b'E' | b'0'..=b'9' | b'.'));
        (short && ends).then_some(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_records_only() {
        for good in [
            &br#"{"dragon_name_str":"A","family_str":"red"}"#[..],
            br#" { "family_str" : "r" , "x" : [1, -2.5, 0, true, false, null, {"a":[]}], "dragon_name_str":"" } "#,
            "{\"dragon_name_str\":\"\u{e9}\u{1f409}\",\"family_str\":\"\u{2028}\"}".as_bytes(),
        ] {
            assert!(is_valid_record(good), "{}", String::from_utf8_lossy(good));
        }
        for bad in [
            &br#"{"dragon_name_str":"A","family_str":"red"x}"#[..],
            br#"{"dragon_name_str":1,"family_str":"red"}"#,
            br#"{"dragon_name_str":"A"}"#,
            br#"{"dragon_name_str":"A","family_str":"b","family_str":"c"}"#,
            br#"{"dragon_name_str":"A","family_str":"red",}"#,
            br#"{"dragon_name_str":"A","family_str":"red"}}"#,
            br#"{"dragon_name_str":"A","family_str":"red","n":01}"#,
            br#"{"dragon_name_str":"A","family_str":"red","n":1e999}"#,
            br#"{"dragon_name_str":"A","family_str":"red","n":[1,]}"#,
            br#"{"dragon_name_str":"A","family_str":"red","n":tru}"#,
            br#"{"x":"dragon_name_str","y":"family_str"}"#,
            b"{\"dragon_name_str\":\"a\nb\",\"family_str\":\"red\"}",
            b"{\"dragon_name_str\":\"\xff\",\"family_str\":\"red\"}",
            br#"["dragon_name_str","family_str"]"#,
        ] {
            assert!(!is_valid_record(bad), "{}", String::from_utf8_lossy(bad));
        }
    }
}
