//! Intrinsics for encoding and hashing: `Base64Encode`, `Base64Decode`, `Hash`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha1::Digest;

/// The longest input `Base64Encode`, `Base64Decode` and `Hash` accept, in characters.
const MAX_INPUT_CHARS: usize = 10_000;

fn text<'v>(values: &'v [Value], what: &str) -> Result<&'v str, String> {
    match values {
        [Value::String(text)] if text.chars().count() <= MAX_INPUT_CHARS => Ok(text),
        [Value::String(_)] => Err(format!("the {what} is over {MAX_INPUT_CHARS} characters")),
        _ => Err(format!("expects one string, the {what}")),
    }
}

/// `States.Base64Encode(text)`: the Base64 (RFC 4648, padded) of the UTF-8 text.
pub(super) fn base64_encode(values: &[Value]) -> Result<Value, String> {
    Ok(Value::String(
        STANDARD.encode(text(values, "data to encode")?),
    ))
}

/// `States.Base64Decode(base64)`: the text the Base64 encodes.
pub(super) fn base64_decode(values: &[Value]) -> Result<Value, String> {
    let bytes = STANDARD
        .decode(text(values, "data to decode")?)
        .map_err(|e| format!("not Base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "the decoded data is not UTF-8 text".to_owned())
}

/// `States.Hash(data, algorithm)`: the lowercase hex digest (`MD5`, `SHA-1`, `SHA-256`,
/// `SHA-384`, `SHA-512`) of the data (a string as is, any other value as its JSON text).
pub(crate) fn hash(values: &[Value]) -> Result<Value, String> {
    let [data, Value::String(algorithm)] = values else {
        return Err("expects the data and an algorithm name".to_owned());
    };
    let data = match data {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    if data.chars().count() > MAX_INPUT_CHARS {
        return Err(format!("the data is over {MAX_INPUT_CHARS} characters"));
    }
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm.as_str() {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        other => {
            return Err(format!(
                "unknown algorithm `{other}` (MD5, SHA-1, SHA-256, SHA-384 or SHA-512)"
            ));
        }
    };
    Ok(Value::String(
        digest.iter().map(|byte| format!("{byte:02x}")).collect(),
    ))
}
