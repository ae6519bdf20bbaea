//! RSA 2048 test keys, generated once per test binary, with their JWK and PEM
//! forms.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::EncodingKey;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::{EncodePublicKey as _, LineEnding};
use rsa::traits::PublicKeyParts as _;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};

/// A signing key and what a key set publishes of it.
pub(crate) struct TestKey {
    /// For signing test tokens.
    pub encoding: EncodingKey,
    /// The modulus, base64url.
    pub n: String,
    /// The public exponent, base64url.
    pub e: String,
    /// The public key as SPKI PEM (the bytes of the HS256 confusion attack).
    pub public_pem: String,
}

impl TestKey {
    fn generate() -> Self {
        let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let public = RsaPublicKey::from(&private);
        Self {
            encoding: EncodingKey::from_rsa_der(private.to_pkcs1_der().unwrap().as_bytes()),
            n: URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            e: URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
            public_pem: public.to_public_key_pem(LineEnding::LF).unwrap(),
        }
    }

    /// The key's JWK under `kid`, as Cognito publishes it.
    pub fn jwk(&self, kid: &str) -> Value {
        json!({"alg": "RS256", "e": self.e, "kid": kid, "kty": "RSA", "n": self.n, "use": "sig"})
    }
}

/// The pool's key.
pub(crate) fn pool_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(TestKey::generate)
}

/// A key the pool does not have (an attacker's, or the next rotation's).
pub(crate) fn other_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(TestKey::generate)
}

/// A JSON Web Key Set of these keys, by kid.
pub(crate) fn key_set(keys: &[(&str, &TestKey)]) -> String {
    let keys: Vec<Value> = keys.iter().map(|(kid, key)| key.jwk(kid)).collect();
    json!({ "keys": keys }).to_string()
}
