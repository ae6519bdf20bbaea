//! The opaque `nextToken` of `GET /dragons`: a store's cursor, bound to the filters
//! of the walk it continues and to when it was made, with a checksum, in URL-safe
//! base64. A truncated, altered or foreign token, or one older than
//! [`TOKEN_LIFETIME`] (an hour; the data bucket keeps a replaced version of the object
//! for a day), is refused before any store is asked.
//!
//! The checksum is not a secret signature: whoever can read a token can make another.
//! That is safe because the stores check every cursor against the data (the scan
//! engine's anchor names the exact record it starts at), so a made-up token can only
//! start a walk at a real record boundary, over records its maker may read anyway.

use std::time::{Duration, SystemTime};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use dragons_contract::{
    DragonQuery,
    page::{Cursor, TOKEN_LIFETIME},
};
use sha2::{Digest, Sha256};

/// The format of the token's bytes.
const VERSION: u8 = 1;
/// Bytes of the query fingerprint and of the checksum.
const DIGEST_BYTES: usize = 8;
/// Version, issue time, query fingerprint.
const HEADER_BYTES: usize = 1 + 8 + DIGEST_BYTES;

/// Why a `nextToken` was refused (a 400 for the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token this API made, or damaged on the way.
    #[error("`nextToken` is not a token this API issued")]
    Malformed,
    /// Made for a walk with other filters.
    #[error("`nextToken` belongs to a walk with other filters")]
    OtherQuery,
    /// Too old.
    #[error("`nextToken` has expired; start the walk again")]
    Expired,
}

fn digest(parts: &[&[u8]]) -> [u8; DIGEST_BYTES] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    let mut first = [0; DIGEST_BYTES];
    first.copy_from_slice(&hasher.finalize()[..DIGEST_BYTES]);
    first
}

/// The filters of `query`, as the token binds them.
fn fingerprint(query: &DragonQuery) -> [u8; DIGEST_BYTES] {
    let field = |value: &Option<String>| match value {
        Some(value) => [&[1_u8][..], value.as_bytes()].concat(),
        None => vec![0],
    };
    digest(&[&field(&query.name), &field(&query.family)])
}

/// The token that continues the walk over `query` at `cursor`, made at `issued`.
pub fn encode(query: &DragonQuery, cursor: &Cursor, issued: SystemTime) -> String {
    let seconds = issued
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let mut bytes = Vec::with_capacity(HEADER_BYTES + cursor.0.len() + DIGEST_BYTES);
    bytes.push(VERSION);
    bytes.extend_from_slice(&seconds.to_be_bytes());
    bytes.extend_from_slice(&fingerprint(query));
    bytes.extend_from_slice(&cursor.0);
    let checksum = digest(&[&bytes]);
    bytes.extend_from_slice(&checksum);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The cursor in `token`, if it continues a walk over `query` and is not older than
/// [`TOKEN_LIFETIME`] at `now`.
pub fn decode(token: &str, query: &DragonQuery, now: SystemTime) -> Result<Cursor, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| TokenError::Malformed)?;
    if bytes.len() < HEADER_BYTES + DIGEST_BYTES {
        return Err(TokenError::Malformed);
    }
    let (body, checksum) = bytes.split_at(bytes.len() - DIGEST_BYTES);
    if digest(&[body]) != checksum || body[0] != VERSION {
        return Err(TokenError::Malformed);
    }
    let (issued, rest) = body[1..].split_at(8);
    let (bound, cursor) = rest.split_at(DIGEST_BYTES);
    if bound != fingerprint(query) {
        return Err(TokenError::OtherQuery);
    }
    let issued = issued
        .try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| TokenError::Malformed)?;
    let issued = SystemTime::UNIX_EPOCH + Duration::from_secs(issued);
    let age = now.duration_since(issued).unwrap_or(Duration::ZERO);
    // A token from more than a minute in the future was not made by this API's clock.
    let early = issued.duration_since(now).unwrap_or(Duration::ZERO);
    if age > TOKEN_LIFETIME || early > Duration::from_secs(60) {
        return Err(TokenError::Expired);
    }
    Ok(Cursor(cursor.to_vec()))
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

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    #[test]
    fn a_token_gives_back_its_cursor_to_its_own_walk() {
        let red = query(None, Some("red"));
        let cursor = Cursor(b"any bytes \x00\xff".to_vec());
        let token = encode(&red, &cursor, now());
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(decode(&token, &red, now()), Ok(cursor.clone()));
        assert_eq!(decode(&token, &red, now() + TOKEN_LIFETIME), Ok(cursor));
    }

    #[test]
    fn other_walks_old_tokens_and_damage_are_refused() {
        let red = query(None, Some("red"));
        let token = encode(&red, &Cursor(vec![7; 21]), now());
        for other in [
            query(None, Some("blue")),
            query(None, None),
            query(Some("red"), None),
            query(Some("A"), Some("red")),
        ] {
            assert_eq!(
                decode(&token, &other, now()),
                Err(TokenError::OtherQuery),
                "{other:?}"
            );
        }
        assert_eq!(
            decode(
                &token,
                &red,
                now() + TOKEN_LIFETIME + Duration::from_secs(1)
            ),
            Err(TokenError::Expired)
        );
        assert_eq!(
            decode(&token, &red, now() - Duration::from_secs(3600)),
            Err(TokenError::Expired)
        );
        for cut in 1..token.len() {
            assert!(
                decode(&token[..cut], &red, now()).is_err(),
                "truncated at {cut}"
            );
        }
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for index in 0..bytes.len() {
            bytes[index] ^= 0x10;
            let altered = URL_SAFE_NO_PAD.encode(&bytes);
            assert!(
                decode(&altered, &red, now()).is_err(),
                "byte {index} altered"
            );
            bytes[index] ^= 0x10;
        }
        for junk in [
            "",
            "x",
            "!!!!",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "eyJhbGciOiJub25lIn0",
        ] {
            assert_eq!(
                decode(junk, &red, now()),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
    }
}
