//! The authorizer against a real (in-test) JWKS endpoint, with real RS256 keys
//! and tokens: every refusal with its reason, acceptance, caching, throttled
//! refetches, key rotation, and one shared fetch of a key set that never answers.

mod keys;
mod properties;
mod server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, encode};
use serde_json::{Value, json};

use self::keys::{TestKey, key_set, other_key, pool_key};
use self::server::{JwksServer, SilentServer};
use super::{
    AuthError, AuthorizerConfig, CognitoAuthorizer, JwksError, api_gateway_claim_value,
    aws_jwks_url, issuer, local_jwks_url, verify,
};

const REGION: &str = "us-east-1";
const POOL: &str = "us-east-1_TestPool1";
const CLIENT: &str = "4np6oaiu11oom6khgturukdfus";
const KID: &str = "dummy";
const SUB: &str = "77766666-f0a1-7003-c2b9-b33fe4125f0d";

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// The claims of a fresh ID token of the pool, as Cognito writes them.
fn id_claims() -> Value {
    let now = now();
    json!({
        "sub": SUB,
        "email_verified": true,
        "iss": issuer(REGION, POOL),
        "cognito:username": "alice",
        "cognito:groups": ["admins", "editors"],
        "origin_jti": "b2b287c3-c5e0-4d7a-b3b4-ba749c80c8b5",
        "aud": CLIENT,
        "event_id": "b7cd4971-b683-4d48-aed9-27fb5ca1afce",
        "token_use": "id",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": "12a93356-c2bd-4551-b09e-dc7a137378fe",
    })
}

/// `claims` with `name` set to `value` (or removed when `value` is null).
fn with(mut claims: Value, name: &str, value: Value) -> Value {
    let object = claims.as_object_mut().unwrap();
    if value.is_null() {
        object.remove(name);
    } else {
        object.insert(name.to_owned(), value);
    }
    claims
}

fn sign(key: &TestKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, &key.encoding).unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

struct Fixture {
    server: JwksServer,
    authorizer: Arc<CognitoAuthorizer>,
}

impl Fixture {
    /// A JWKS server with the pool's key under [`KID`], and an authorizer with
    /// the default refetch interval.
    async fn new() -> Self {
        Self::with_interval(None).await
    }

    async fn with_interval(interval: Option<Duration>) -> Self {
        let server = JwksServer::start(POOL, key_set(&[(KID, pool_key())])).await;
        let config = AuthorizerConfig::local(&server.endpoint, REGION, POOL, CLIENT);
        let mut authorizer = CognitoAuthorizer::new(config).unwrap();
        if let Some(interval) = interval {
            authorizer = authorizer.with_min_refetch_interval(interval);
        }
        Self {
            server,
            authorizer: Arc::new(authorizer),
        }
    }

    async fn check(&self, token: &str) -> Result<super::Claims, AuthError> {
        self.authorizer.authorize(Some(token)).await
    }

    /// The refusal of `token`, which must be refused.
    async fn refusal(&self, token: &str) -> AuthError {
        match self.check(token).await {
            Ok(claims) => panic!("accepted: {claims:?}"),
            Err(error) => error,
        }
    }
}

#[tokio::test]
async fn a_valid_id_token_is_accepted_with_its_claims() {
    let fixture = Fixture::new().await;
    let claims = id_claims();
    let token = sign(pool_key(), Some(KID), &claims);

    let accepted = fixture.check(&token).await.unwrap();

    assert_eq!(accepted.sub, SUB);
    assert_eq!(accepted.username, "alice");
    assert_eq!(accepted.get("token_use"), Some("id"));
    assert_eq!(accepted.get("aud"), Some(CLIENT));
    assert_eq!(accepted.get("email_verified"), Some("true"));
    assert_eq!(accepted.get("cognito:groups"), Some("[admins editors]"));
    let auth_time = claims["auth_time"].as_u64().unwrap().to_string();
    assert_eq!(accepted.get("auth_time"), Some(auth_time.as_str()));
    let exp = api_gateway_claim_value("exp", &claims["exp"]);
    assert_eq!(accepted.get("exp"), Some(exp.as_str()));
    assert!(exp.contains(" UTC "), "{exp}");
    assert_eq!(accepted.all.len(), claims.as_object().unwrap().len());
    assert!(accepted.all.values().all(Value::is_string));
}

#[tokio::test]
async fn the_bare_token_or_bearer_and_one_space_are_accepted_and_no_other_white_space() {
    let fixture = Fixture::new().await;
    let token = sign(pool_key(), Some(KID), &id_claims());
    for header in [
        format!("bearer {token}"),
        format!("BEARER {token}"),
        format!("Bearer  {token}"),
        format!("Bearer\t{token}"),
        format!(" {token}"),
        format!("{token} "),
        format!("Bearer {token}\n"),
        format!("{} {}", &token[..10], &token[10..]),
        "   ".to_owned(),
    ] {
        let refused = fixture.authorizer.authorize(Some(&header)).await;
        assert!(
            matches!(refused, Err(AuthError::Malformed(_))),
            "{header:?}: {refused:?}"
        );
    }
    assert_eq!(
        fixture.server.requests(),
        0,
        "refused before any key is fetched"
    );
    for header in [token.clone(), format!("Bearer {token}")] {
        let accepted = fixture.authorizer.authorize(Some(&header)).await.unwrap();
        assert_eq!(accepted.sub, SUB, "{header}");
    }
}

#[tokio::test]
async fn no_token_is_refused_without_fetching_keys() {
    let fixture = Fixture::new().await;
    for header in [None, Some(""), Some("Bearer "), Some("Bearer")] {
        let refused = fixture.authorizer.authorize(header).await;
        assert!(
            matches!(refused, Err(AuthError::MissingToken)),
            "{header:?}: {refused:?}"
        );
    }
    assert_eq!(fixture.server.requests(), 0);
}

#[tokio::test]
async fn a_string_that_is_not_a_jwt_is_refused() {
    let fixture = Fixture::new().await;
    let header = b64(&json!({"alg": "RS256", "kid": KID}));
    for token in [
        "not-a-jwt".to_owned(),
        "a.b".to_owned(),
        "a.b.c.d".to_owned(),
        "!!!.e30.sig".to_owned(),
        format!("{}.e30.sig", URL_SAFE_NO_PAD.encode("not json")),
        format!("{header}..sig"),
        format!("{}.e30.sig", b64(&json!({"kid": KID}))),
    ] {
        let refused = fixture.refusal(&token).await;
        assert!(
            matches!(refused, AuthError::Malformed(_)),
            "{token}: {refused:?}"
        );
    }
    assert_eq!(fixture.server.requests(), 0);
}

#[tokio::test]
async fn a_token_without_kid_is_refused() {
    let fixture = Fixture::new().await;
    let token = sign(pool_key(), None, &id_claims());
    assert!(matches!(
        fixture.refusal(&token).await,
        AuthError::MissingKid
    ));
}

#[tokio::test]
async fn a_token_signed_by_another_key_with_the_same_kid_is_refused() {
    let fixture = Fixture::new().await;
    let token = sign(other_key(), Some(KID), &id_claims());
    let refused = fixture.refusal(&token).await;
    assert!(
        matches!(refused, AuthError::InvalidSignature),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let fixture = Fixture::new().await;
    let token = sign(pool_key(), Some(KID), &id_claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = b64(&with(id_claims(), "cognito:username", json!("mallory")));
    let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);

    let refused = fixture.refusal(&tampered).await;
    assert!(
        matches!(refused, AuthError::InvalidSignature),
        "{refused:?}"
    );
    // The untouched token is fine: the refusal is the tampering's.
    assert!(fixture.check(&token).await.is_ok());
}

#[tokio::test]
async fn an_expired_token_is_refused_from_its_exp_on() {
    let fixture = Fixture::new().await;
    for past in [60, 1] {
        let expired = with(id_claims(), "exp", json!(now() - past));
        let refused = fixture
            .refusal(&sign(pool_key(), Some(KID), &expired))
            .await;
        assert!(matches!(refused, AuthError::Expired), "{past}: {refused:?}");
    }
}

#[tokio::test]
async fn a_token_without_exp_is_refused() {
    let fixture = Fixture::new().await;
    let claims = with(id_claims(), "exp", Value::Null);
    let refused = fixture.refusal(&sign(pool_key(), Some(KID), &claims)).await;
    assert!(
        matches!(&refused, AuthError::MissingClaim(claim) if claim == "exp"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_token_from_the_future_is_refused_beyond_the_leeway() {
    let fixture = Fixture::new().await;
    for claim in ["iat", "nbf"] {
        let claims = with(id_claims(), claim, json!(now() + 600));
        let refused = fixture.refusal(&sign(pool_key(), Some(KID), &claims)).await;
        assert!(
            matches!(refused, AuthError::NotYetValid),
            "{claim}: {refused:?}"
        );
        let skewed = with(id_claims(), claim, json!(now() + 2));
        assert!(
            fixture
                .check(&sign(pool_key(), Some(KID), &skewed))
                .await
                .is_ok(),
            "{claim} within the leeway"
        );
        let text = with(id_claims(), claim, json!("soon"));
        let refused = fixture.refusal(&sign(pool_key(), Some(KID), &text)).await;
        assert!(
            matches!(&refused, AuthError::InvalidClaim(name) if name == claim),
            "{claim}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn a_token_for_another_app_client_is_refused() {
    let fixture = Fixture::new().await;
    for aud in [json!("another-client"), json!(["another-client", CLIENT])] {
        let claims = with(id_claims(), "aud", aud.clone());
        let refused = fixture.refusal(&sign(pool_key(), Some(KID), &claims)).await;
        assert!(
            matches!(refused, AuthError::WrongAudience { .. }),
            "{aud}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn a_token_of_another_pool_is_refused() {
    let fixture = Fixture::new().await;
    for iss in [
        json!(issuer(REGION, "us-east-1_OtherPool")),
        json!(issuer("eu-west-1", POOL)),
        json!("http://127.0.0.1:5000/us-east-1_TestPool1"),
        json!([issuer(REGION, POOL), "https://evil.example"]),
    ] {
        let claims = with(id_claims(), "iss", iss.clone());
        let refused = fixture.refusal(&sign(pool_key(), Some(KID), &claims)).await;
        assert!(
            matches!(refused, AuthError::WrongIssuer { .. }),
            "{iss}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn an_access_token_is_refused() {
    let fixture = Fixture::new().await;
    let now = now();
    // What Cognito issues as an access token: `client_id`, no `aud`.
    let access = json!({
        "sub": SUB,
        "iss": issuer(REGION, POOL),
        "client_id": CLIENT,
        "origin_jti": "b2b287c3-c5e0-4d7a-b3b4-ba749c80c8b5",
        "event_id": "b7cd4971-b683-4d48-aed9-27fb5ca1afce",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": "0a1b2c3d",
        "username": "alice",
    });
    let refused = fixture.refusal(&sign(pool_key(), Some(KID), &access)).await;
    assert!(
        matches!(&refused, AuthError::NotIdToken { found: Some(found) } if found == "access"),
        "{refused:?}"
    );
    // An ID token in every other way, but for its token_use.
    for (token_use, found) in [(json!("access"), Some("access")), (Value::Null, None)] {
        let claims = with(id_claims(), "token_use", token_use);
        let refused = fixture.refusal(&sign(pool_key(), Some(KID), &claims)).await;
        assert!(
            matches!(&refused, AuthError::NotIdToken { found: got } if got.as_deref() == found),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn a_token_without_sub_or_username_is_refused() {
    let fixture = Fixture::new().await;
    for claim in ["sub", "cognito:username"] {
        let claims = with(id_claims(), claim, Value::Null);
        let refused = fixture.refusal(&sign(pool_key(), Some(KID), &claims)).await;
        assert!(
            matches!(&refused, AuthError::MissingClaim(name) if name == claim),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn an_unsigned_token_is_refused_before_any_key_is_fetched() {
    let fixture = Fixture::new().await;
    let payload = b64(&id_claims());
    for alg in ["none", "None", "NONE"] {
        let header = b64(&json!({"alg": alg, "kid": KID, "typ": "JWT"}));
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}.x"),
        ] {
            let refused = fixture.refusal(&token).await;
            assert!(
                matches!(&refused, AuthError::UnsupportedAlgorithm(found) if found == alg),
                "{refused:?}"
            );
        }
    }
    assert_eq!(fixture.server.requests(), 0);
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_public_key_is_refused() {
    let fixture = Fixture::new().await;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(KID.to_owned());
    let secret = EncodingKey::from_secret(pool_key().public_pem.as_bytes());
    let token = encode(&header, &id_claims(), &secret).unwrap();

    let refused = fixture.refusal(&token).await;
    assert!(
        matches!(&refused, AuthError::UnsupportedAlgorithm(alg) if alg == "HS256"),
        "{refused:?}"
    );
    // The library refuses it as well, should the header check ever be skipped.
    let config = AuthorizerConfig::local(&fixture.server.endpoint, REGION, POOL, CLIENT);
    let key = DecodingKey::from_rsa_components(&pool_key().n, &pool_key().e).unwrap();
    let refused = verify::ClaimRules::new(&config).verified_claims(&token, &key);
    assert!(refused.is_err(), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_key_set_is_fetched_once_for_many_requests() {
    let fixture = Fixture::new().await;
    let token = sign(pool_key(), Some(KID), &id_claims());
    let concurrent: Vec<_> = (0..16)
        .map(|_| {
            let authorizer = Arc::clone(&fixture.authorizer);
            let token = token.clone();
            tokio::spawn(async move { authorizer.authorize(Some(&token)).await })
        })
        .collect();
    for request in concurrent {
        assert!(request.await.unwrap().is_ok());
    }
    for _ in 0..16 {
        assert!(fixture.check(&token).await.is_ok());
    }
    assert_eq!(fixture.server.requests(), 1);
}

#[tokio::test]
async fn an_unknown_kid_refetches_once_then_is_refused_and_refetches_are_throttled() {
    let interval = Duration::from_millis(500);
    let fixture = Fixture::with_interval(Some(interval)).await;
    // Signed beforehand: the second unknown kid must arrive within the interval.
    let good = sign(pool_key(), Some(KID), &id_claims());
    let first = sign(pool_key(), Some("random-1"), &id_claims());
    let second = sign(pool_key(), Some("random-2"), &id_claims());
    assert!(fixture.check(&good).await.is_ok());
    assert_eq!(fixture.server.requests(), 1);
    tokio::time::sleep(interval + Duration::from_millis(50)).await;

    let refused = fixture.refusal(&first).await;
    assert!(
        matches!(&refused, AuthError::UnknownKid { kid } if kid == "random-1"),
        "{refused:?}"
    );
    assert_eq!(
        fixture.server.requests(),
        2,
        "one refetch for the unknown kid"
    );

    let refused = fixture.refusal(&second).await;
    assert!(
        matches!(&refused, AuthError::UnknownKid { kid } if kid == "random-2"),
        "{refused:?}"
    );
    assert_eq!(
        fixture.server.requests(),
        2,
        "no refetch within the interval"
    );

    // Known keys are still served from the cache.
    assert!(fixture.check(&good).await.is_ok());
    assert_eq!(fixture.server.requests(), 2);
}

#[tokio::test]
async fn with_the_default_interval_an_unknown_kid_right_after_a_fetch_does_not_refetch() {
    let fixture = Fixture::new().await;
    // The first request loads the set; its kid is not in it.
    let unknown = sign(pool_key(), Some("random"), &id_claims());
    let refused = fixture.refusal(&unknown).await;
    assert!(
        matches!(refused, AuthError::UnknownKid { .. }),
        "{refused:?}"
    );
    assert_eq!(fixture.server.requests(), 1);
    for _ in 0..5 {
        assert!(matches!(
            fixture.refusal(&unknown).await,
            AuthError::UnknownKid { .. }
        ));
    }
    assert_eq!(fixture.server.requests(), 1);
}

#[tokio::test]
async fn a_rotated_key_is_accepted_after_a_refetch() {
    let interval = Duration::from_millis(200);
    let fixture = Fixture::with_interval(Some(interval)).await;
    let old = sign(pool_key(), Some(KID), &id_claims());
    assert!(fixture.check(&old).await.is_ok());
    assert_eq!(fixture.server.requests(), 1);

    fixture
        .server
        .set_body(key_set(&[(KID, pool_key()), ("rotated", other_key())]));
    tokio::time::sleep(interval + Duration::from_millis(50)).await;
    let new = sign(other_key(), Some("rotated"), &id_claims());

    let accepted = fixture.check(&new).await.unwrap();
    assert_eq!(accepted.sub, SUB);
    assert_eq!(fixture.server.requests(), 2);
    assert!(fixture.check(&new).await.is_ok());
    assert!(fixture.check(&old).await.is_ok());
    assert_eq!(fixture.server.requests(), 2);
}

#[tokio::test]
async fn an_unavailable_key_set_refuses_at_once_for_a_while_then_is_tried_again() {
    let server = JwksServer::start(POOL, key_set(&[(KID, pool_key())])).await;
    let cache = Duration::from_millis(300);
    let config = AuthorizerConfig::local(&server.endpoint, REGION, POOL, CLIENT);
    let authorizer = CognitoAuthorizer::new(config)
        .unwrap()
        .with_failure_cache(cache);
    server.set_status(500);
    let token = sign(pool_key(), Some(KID), &id_claims());

    for _ in 0..3 {
        let refused = authorizer.authorize(Some(&token)).await;
        assert!(
            matches!(&refused, Err(AuthError::Jwks(error)) if matches!(**error, JwksError::Status { status: 500, .. })),
            "{refused:?}"
        );
    }
    assert_eq!(server.requests(), 1, "refused from the failure cache");
    server.set_status(200);
    tokio::time::sleep(cache + Duration::from_millis(50)).await;
    assert!(authorizer.authorize(Some(&token)).await.is_ok());
    assert_eq!(server.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_share_one_fetch_of_a_silent_key_set_and_its_failure() {
    let silent = SilentServer::start().await;
    let timeout = Duration::from_millis(500);
    let config = AuthorizerConfig::local(&silent.endpoint, REGION, POOL, CLIENT);
    let authorizer = Arc::new(
        CognitoAuthorizer::new(config)
            .unwrap()
            .with_fetch_timeout(timeout)
            .with_failure_cache(Duration::from_secs(60)),
    );
    let token = sign(pool_key(), Some(KID), &id_claims());
    let requests = 16_u32;
    let started = Instant::now();
    let concurrent: Vec<_> = (0..requests)
        .map(|_| {
            let authorizer = Arc::clone(&authorizer);
            let token = token.clone();
            tokio::spawn(async move { authorizer.authorize(Some(&token)).await })
        })
        .collect();
    for request in concurrent {
        let refused = request.await.unwrap();
        assert!(
            matches!(&refused, Err(AuthError::Jwks(error)) if matches!(**error, JwksError::Timeout { .. })),
            "{refused:?}"
        );
    }
    let elapsed = started.elapsed();
    // One after another, they would take one timeout each.
    assert!(
        elapsed < timeout * 3,
        "{requests} requests took {elapsed:?}: they must share one fetch, not wait {:?}",
        timeout * requests
    );
    assert_eq!(silent.connections(), 1, "one fetch for all");

    // Within the failure cache, the next request is refused at once.
    let again = Instant::now();
    let refused = authorizer.authorize(Some(&token)).await;
    assert!(
        matches!(&refused, Err(AuthError::Jwks(error)) if matches!(**error, JwksError::Timeout { .. })),
        "{refused:?}"
    );
    assert!(again.elapsed() < timeout / 2, "{:?}", again.elapsed());
    assert_eq!(silent.connections(), 1);
}

#[tokio::test]
async fn a_body_that_is_not_a_key_set_is_refused() {
    let fixture = Fixture::new().await;
    fixture.server.set_body("<html>nope</html>".to_owned());
    let token = sign(pool_key(), Some(KID), &id_claims());
    let refused = fixture.refusal(&token).await;
    assert!(
        matches!(&refused, AuthError::Jwks(error) if matches!(**error, JwksError::NotAKeySet { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn keys_that_are_not_rs256_signature_keys_are_skipped() {
    let pool = pool_key().jwk(KID);
    let mut encryption = pool_key().jwk("enc");
    encryption["use"] = json!("enc");
    let mut rs512 = pool_key().jwk("rs512");
    rs512["alg"] = json!("RS512");
    let ec = json!({"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"});
    let body = json!({"keys": [ec, encryption, rs512, {"kty": "RSA"}, pool]}).to_string();
    let fixture = Fixture::new().await;
    fixture.server.set_body(body);

    assert!(
        fixture
            .check(&sign(pool_key(), Some(KID), &id_claims()))
            .await
            .is_ok()
    );
    for kid in ["enc", "rs512", "ec"] {
        let refused = fixture
            .refusal(&sign(pool_key(), Some(kid), &id_claims()))
            .await;
        assert!(
            matches!(refused, AuthError::UnknownKid { .. }),
            "{kid}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn an_https_key_set_url_is_fetched_over_tls_and_other_schemes_are_refused() {
    // A server that answers in plain HTTP at once, behind an https:// URL: the
    // TLS handshake fails on its answer, so the fetch was made over TLS.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("https://{}", plain.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt as _;
        while let Ok((mut stream, _)) = plain.accept().await {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                .await;
        }
    });
    let authorizer =
        CognitoAuthorizer::new(AuthorizerConfig::local(&endpoint, REGION, POOL, CLIENT)).unwrap();
    let token = sign(pool_key(), Some(KID), &id_claims());
    let refused = authorizer.authorize(Some(&token)).await;
    assert!(
        matches!(&refused, Err(AuthError::Jwks(error)) if matches!(**error, JwksError::Request { .. })),
        "{refused:?}"
    );
    let server = JwksServer::start(POOL, key_set(&[(KID, pool_key())])).await;
    let ftp = server.endpoint.replace("http://", "ftp://");
    let authorizer =
        CognitoAuthorizer::new(AuthorizerConfig::local(&ftp, REGION, POOL, CLIENT)).unwrap();
    let refused = authorizer.authorize(Some(&token)).await;
    assert!(
        matches!(&refused, Err(AuthError::Jwks(error)) if matches!(**error, JwksError::InvalidUrl { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn an_unreachable_key_set_is_a_request_error() {
    // A port that was free a moment ago: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let authorizer =
        CognitoAuthorizer::new(AuthorizerConfig::local(&endpoint, REGION, POOL, CLIENT)).unwrap();
    let token = sign(pool_key(), Some(KID), &id_claims());
    let refused = authorizer.authorize(Some(&token)).await;
    assert!(
        matches!(&refused, Err(AuthError::Jwks(error)) if matches!(**error, JwksError::Request { .. })),
        "{refused:?}"
    );
}

#[test]
fn the_urls_and_issuer_follow_cognito() {
    assert_eq!(
        issuer("eu-central-1", "eu-central-1_mxbE0ja3h"),
        "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_mxbE0ja3h"
    );
    assert_eq!(
        aws_jwks_url(REGION, POOL),
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1/.well-known/jwks.json"
    );
    assert_eq!(
        local_jwks_url("http://127.0.0.1:5000/", POOL),
        "http://127.0.0.1:5000/us-east-1_TestPool1/.well-known/jwks.json"
    );
    let config = AuthorizerConfig::local("http://127.0.0.1:5000", REGION, POOL, CLIENT);
    assert_eq!(config.issuer(), issuer(REGION, POOL));
    assert_eq!(
        config.jwks_url,
        local_jwks_url("http://127.0.0.1:5000", POOL)
    );
    assert_eq!(config.client_id, CLIENT);
    assert_eq!(
        AuthorizerConfig::aws(REGION, POOL, CLIENT).jwks_url,
        aws_jwks_url(REGION, POOL)
    );
}
