//! The user pool's key set (JWKS): fetched on first use and cached; fetched
//! again when a token names a `kid` the cache does not hold (key rotation), at
//! most once per refetch interval, so that tokens with made-up kids cannot make
//! the authorizer hammer the endpoint.
//!
//! Requests never queue for a fetch of their own: the first request that needs
//! the set starts one fetch (a task of its own, so it finishes even if that
//! request goes away), and every request that needs it meanwhile waits for that
//! same fetch and takes its result, keys or error. After a failed fetch, while
//! no set has ever loaded, requests are refused at once with that error for the
//! failure cache's time, so a dead endpoint costs one timeout, not one per
//! request. Keys are never dropped between fetches; a fetch replaces the set.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use tokio::sync::watch;

use super::error::{AuthError, JwksError};
use super::fetch::{FETCH_TIMEOUT, HttpGet};

/// The shortest time between two fetches of the key set caused by an unknown
/// `kid`.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// How long the error of a failed fetch is answered at once, while no key set
/// has loaded yet.
pub const DEFAULT_FAILURE_CACHE: Duration = Duration::from_secs(3);

/// The RS256 signing keys of a set, by `kid`.
type Keys = HashMap<String, Arc<DecodingKey>>;

/// What one fetch ended with, shared by every request that waited on it.
type Fetched = Result<Arc<Keys>, Arc<JwksError>>;

/// The cache's state, behind a lock held only to read or update it (never
/// across a fetch).
#[derive(Default)]
struct State {
    /// The last key set loaded.
    keys: Option<Arc<Keys>>,
    /// When the last fetch started.
    last_attempt: Option<Instant>,
    /// The last fetch's error and when it came, if the last fetch failed.
    failure: Option<(Instant, Arc<JwksError>)>,
    /// The fetch under way, if any: its result is sent here.
    in_flight: Option<watch::Receiver<Option<Fetched>>>,
}

/// What the fetch task shares with the cache.
struct Shared {
    url: String,
    http: HttpGet,
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state is replaced whole under the lock, so it is never half written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn fetch(&self, timeout: Duration) -> Result<Keys, JwksError> {
        let body = self.http.get(&self.url, timeout).await?;
        parse_key_set(&body).map_err(|source| JwksError::NotAKeySet {
            url: self.url.clone(),
            source,
        })
    }
}

/// A key set cache, safe to share between concurrent requests.
pub(super) struct JwksCache {
    shared: Arc<Shared>,
    min_refetch_interval: Duration,
    failure_cache: Duration,
    fetch_timeout: Duration,
}

impl JwksCache {
    /// An empty cache for the key set at `url`; nothing is fetched yet.
    pub(super) fn new(url: String) -> Result<Self, JwksError> {
        Ok(Self {
            shared: Arc::new(Shared {
                url,
                http: HttpGet::new()?,
                state: Mutex::new(State::default()),
            }),
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
            failure_cache: DEFAULT_FAILURE_CACHE,
            fetch_timeout: FETCH_TIMEOUT,
        })
    }

    /// Changes the shortest time between two fetches caused by unknown kids.
    pub(super) fn set_min_refetch_interval(&mut self, interval: Duration) {
        self.min_refetch_interval = interval;
    }

    /// Changes how long a failed fetch's error is answered at once.
    pub(super) fn set_failure_cache(&mut self, duration: Duration) {
        self.failure_cache = duration;
    }

    /// Changes how long one fetch may take.
    pub(super) fn set_fetch_timeout(&mut self, timeout: Duration) {
        self.fetch_timeout = timeout;
    }

    /// The key with this `kid`, from the cache or, when it is not there and
    /// the refetch interval allows, from a fetch of the set (the one under way,
    /// or a new one).
    pub(super) async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, AuthError> {
        let fetch = {
            let mut state = self.shared.state();
            if let Some(key) = state.keys.as_ref().and_then(|keys| keys.get(kid)) {
                return Ok(Arc::clone(key));
            }
            match &state.in_flight {
                Some(fetch) => fetch.clone(),
                None => {
                    let now = Instant::now();
                    let recent = |at: Instant, window: Duration| now.duration_since(at) < window;
                    if state.keys.is_some() {
                        if state
                            .last_attempt
                            .is_some_and(|at| recent(at, self.min_refetch_interval))
                        {
                            return Err(unknown(kid));
                        }
                    } else if let Some((at, error)) = &state.failure
                        && recent(*at, self.failure_cache)
                    {
                        return Err(AuthError::Jwks(Arc::clone(error)));
                    }
                    self.start_fetch(&mut state, now)
                }
            }
        };
        match wait(fetch, &self.shared.url).await {
            Ok(keys) => keys.get(kid).cloned().ok_or_else(|| unknown(kid)),
            Err(error) => Err(AuthError::Jwks(error)),
        }
    }

    /// Starts a fetch in a task of its own, which records its result in the
    /// state and sends it to every waiter.
    fn start_fetch(&self, state: &mut State, now: Instant) -> watch::Receiver<Option<Fetched>> {
        let (sender, receiver) = watch::channel(None);
        state.in_flight = Some(receiver.clone());
        state.last_attempt = Some(now);
        let shared = Arc::clone(&self.shared);
        let timeout = self.fetch_timeout;
        tokio::spawn(async move {
            let fetched: Fetched = shared.fetch(timeout).await.map(Arc::new).map_err(Arc::new);
            {
                let mut state = shared.state();
                state.in_flight = None;
                match &fetched {
                    Ok(keys) => {
                        tracing::debug!(url = %shared.url, keys = keys.len(), "fetched the user pool's key set");
                        state.keys = Some(Arc::clone(keys));
                        state.failure = None;
                    }
                    Err(error) => {
                        tracing::warn!(url = %shared.url, %error, "the user pool's key set could not be fetched");
                        state.failure = Some((Instant::now(), Arc::clone(error)));
                    }
                }
            }
            // Every waiter may have gone; the state holds the result anyway.
            let _ = sender.send(Some(fetched));
        });
        receiver
    }
}

/// The result of the fetch `receiver` waits on.
async fn wait(mut receiver: watch::Receiver<Option<Fetched>>, url: &str) -> Fetched {
    match receiver.wait_for(Option::is_some).await {
        Ok(fetched) => fetched.clone().unwrap_or_else(|| Err(abandoned(url))),
        Err(_) => Err(abandoned(url)),
    }
}

fn abandoned(url: &str) -> Arc<JwksError> {
    Arc::new(JwksError::Abandoned {
        url: url.to_owned(),
    })
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
