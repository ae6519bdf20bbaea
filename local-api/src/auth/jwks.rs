//! The user pool's key set (JWKS): fetched on first use and cached; fetched
//! again when a token names a `kid` the cache does not hold (key rotation), at
//! most once per refetch interval, so that tokens with made-up kids cannot make
//! the authorizer hammer the endpoint.
//!
//! Keys are never dropped from the cache between fetches; a fetch replaces the
//! whole set. While no set has been loaded yet (the endpoint was down), every
//! request tries again: there is nothing to throttle against.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use super::error::{AuthError, JwksError};
use super::fetch::HttpGet;

/// The shortest time between two fetches of the key set caused by an unknown
/// `kid`.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// The RS256 signing keys of a set, by `kid`.
type Keys = HashMap<String, Arc<DecodingKey>>;

/// The last key set loaded, and when the key set was last fetched (or a fetch
/// was last tried).
struct Loaded {
    keys: Keys,
    attempted_at: Instant,
}

/// A key set cache, safe to share between concurrent requests.
pub(super) struct JwksCache {
    url: String,
    http: HttpGet,
    min_refetch_interval: Duration,
    loaded: RwLock<Option<Loaded>>,
    /// Held while fetching, so that concurrent misses fetch once.
    refresh: Mutex<()>,
}

impl JwksCache {
    /// An empty cache for the key set at `url`; nothing is fetched yet.
    pub(super) fn new(url: String) -> Self {
        Self {
            url,
            http: HttpGet::new(),
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
            loaded: RwLock::new(None),
            refresh: Mutex::new(()),
        }
    }

    /// Changes the shortest time between two fetches caused by unknown kids.
    pub(super) fn set_min_refetch_interval(&mut self, interval: Duration) {
        self.min_refetch_interval = interval;
    }

    /// The key with this `kid`, from the cache or, when it is not there and
    /// the refetch interval allows, from a new fetch of the set.
    pub(super) async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, AuthError> {
        if let Some(Some(key)) = self.lookup(kid).await {
            return Ok(key);
        }
        let _fetching = self.refresh.lock().await;
        // Another request may have fetched the set while this one waited.
        match self.lookup(kid).await {
            Some(Some(key)) => return Ok(key),
            Some(None) if !self.may_refetch().await => return Err(unknown(kid)),
            _ => {}
        }
        let fetched = self.fetch().await;
        let mut loaded = self.loaded.write().await;
        match fetched {
            Ok(keys) => {
                tracing::debug!(url = %self.url, keys = keys.len(), "fetched the user pool's key set");
                let key = keys.get(kid).cloned();
                *loaded = Some(Loaded {
                    keys,
                    attempted_at: Instant::now(),
                });
                key.ok_or_else(|| unknown(kid))
            }
            Err(error) => {
                if let Some(loaded) = loaded.as_mut() {
                    loaded.attempted_at = Instant::now();
                }
                Err(error.into())
            }
        }
    }

    /// `None` when no set is loaded yet, else whether the set has the key.
    async fn lookup(&self, kid: &str) -> Option<Option<Arc<DecodingKey>>> {
        let loaded = self.loaded.read().await;
        loaded.as_ref().map(|loaded| loaded.keys.get(kid).cloned())
    }

    /// Whether the last fetch is far enough in the past to fetch again.
    async fn may_refetch(&self) -> bool {
        let loaded = self.loaded.read().await;
        loaded
            .as_ref()
            .is_none_or(|loaded| loaded.attempted_at.elapsed() >= self.min_refetch_interval)
    }

    async fn fetch(&self) -> Result<Keys, JwksError> {
        let body = self.http.get(&self.url).await?;
        parse_key_set(&body).map_err(|source| JwksError::NotAKeySet {
            url: self.url.clone(),
            source,
        })
    }
}

fn unknown(kid: &str) -> AuthError {
    AuthError::UnknownKid {
        kid: kid.to_owned(),
    }
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<serde_json::Value>,
}

/// The fields of a JWK this authorizer reads.
#[derive(Deserialize)]
struct RsaJwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// The RS256 signature keys of a JSON Web Key Set, by `kid`. Keys of other
/// types or uses, or without a `kid`, are skipped (and logged), so that one odd
/// key does not make the whole set unusable.
fn parse_key_set(body: &[u8]) -> Result<Keys, serde_json::Error> {
    let set: KeySet = serde_json::from_slice(body)?;
    let mut keys = Keys::new();
    for value in set.keys {
        let jwk: RsaJwk = match serde_json::from_value(value) {
            Ok(jwk) => jwk,
            Err(error) => {
                tracing::warn!(%error, "skipping an unreadable key of the key set");
                continue;
            }
        };
        let usable = jwk.kty == "RSA"
            && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256")
            && jwk.usage.as_deref().is_none_or(|usage| usage == "sig");
        if !usable {
            tracing::warn!(kid = ?jwk.kid, kty = %jwk.kty, "skipping a key that is not an RS256 signature key");
            continue;
        }
        let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else {
            tracing::warn!("skipping an RSA key without kid, n or e");
            continue;
        };
        match DecodingKey::from_rsa_components(&n, &e) {
            Ok(key) => {
                keys.insert(kid, Arc::new(key));
            }
            Err(error) => tracing::warn!(%kid, %error, "skipping a key with bad n or e"),
        }
    }
    Ok(keys)
}
