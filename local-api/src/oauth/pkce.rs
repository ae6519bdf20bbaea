//! PKCE (RFC 7636) with the S256 method, the only one the stand-in takes, as
//! Cognito's managed login takes it: a verifier of 43–128 unreserved characters,
//! whose SHA-256, base64url without padding, is the challenge.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// The one challenge method taken.
pub const S256: &str = "S256";

/// Whether `value` is a well-formed verifier or S256 challenge: 43–128 characters of
/// `[A-Za-z0-9-._~]` (RFC 7636 §4.1; an S256 challenge is 43 of them).
pub fn is_well_formed(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The S256 challenge of `verifier`.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` is well formed and its S256 challenge is `challenge`.
pub fn verifies(verifier: &str, challenge_sent: &str) -> bool {
    is_well_formed(verifier) && challenge(verifier) == challenge_sent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifies() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let expected = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(challenge(verifier), expected);
        assert!(verifies(verifier, expected));
        assert!(!verifies(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl",
            expected
        ));
        assert!(!verifies("short", &challenge("short")));
    }

    #[test]
    fn only_unreserved_characters_of_the_right_length_are_taken() {
        assert!(is_well_formed(&"a".repeat(43)));
        assert!(is_well_formed(&"~._-".repeat(32)));
        assert!(!is_well_formed(&"a".repeat(42)));
        assert!(!is_well_formed(&"a".repeat(129)));
        assert!(!is_well_formed(&format!("{}+", "a".repeat(43))));
    }
}
