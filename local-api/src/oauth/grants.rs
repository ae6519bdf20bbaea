//! The authorization codes the stand-in has issued and not yet redeemed: each for
//! one client, redirect URI and PKCE challenge, used once, within five minutes (as
//! Cognito's), and at most [`MAX_PENDING`] at a time so memory stays bounded.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;

/// How long a code may be redeemed.
pub const CODE_LIFETIME: Duration = Duration::from_secs(300);
/// The most codes waiting at once; the oldest is dropped for a new one past it.
pub const MAX_PENDING: usize = 1024;

/// The tokens a sign-in earned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The ID token (what the API takes).
    pub id_token: String,
    /// The access token.
    pub access_token: String,
    /// The refresh token (none on a refresh).
    pub refresh_token: Option<String>,
    /// Seconds until the ID and access tokens expire.
    pub expires_in: i32,
}

/// What a code was issued for.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The app client.
    pub client_id: String,
    /// The redirect URI the code was sent to.
    pub redirect_uri: String,
    /// The PKCE S256 challenge.
    pub challenge: String,
    /// The tokens the code redeems for.
    pub tokens: Tokens,
}

#[derive(Debug, Default)]
struct Pending {
    grants: HashMap<String, (Instant, Grant)>,
}

/// The codes not yet redeemed.
#[derive(Debug, Default)]
pub struct Grants {
    pending: Mutex<Pending>,
}

impl Grants {
    /// A new code for `grant`.
    pub fn issue(&self, grant: Grant) -> String {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let code = URL_SAFE_NO_PAD.encode(bytes);
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        pending
            .grants
            .retain(|_, (issued, _)| now.duration_since(*issued) < CODE_LIFETIME);
        if pending.grants.len() >= MAX_PENDING
            && let Some(oldest) = pending
                .grants
                .iter()
                .min_by_key(|(_, (issued, _))| *issued)
                .map(|(code, _)| code.clone())
        {
            pending.grants.remove(&oldest);
        }
        pending.grants.insert(code.clone(), (now, grant));
        code
    }

    /// The grant of `code`, removed (a code is used once, even when the redemption
    /// then fails), if it exists and has not expired.
    pub fn redeem(&self, code: &str) -> Option<Grant> {
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (issued, grant) = pending.grants.remove(code)?;
        (issued.elapsed() < CODE_LIFETIME).then_some(grant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(n: usize) -> Grant {
        Grant {
            client_id: "client".into(),
            redirect_uri: "http://127.0.0.1/".into(),
            challenge: format!("c{n}"),
            tokens: Tokens {
                id_token: format!("id{n}"),
                access_token: "access".into(),
                refresh_token: None,
                expires_in: 3600,
            },
        }
    }

    #[test]
    fn a_code_is_redeemed_once() {
        let grants = Grants::default();
        let code = grants.issue(grant(1));
        assert_eq!(grants.redeem(&code).unwrap().tokens.id_token, "id1");
        assert!(grants.redeem(&code).is_none());
        assert!(grants.redeem("made-up").is_none());
    }

    #[test]
    fn pending_codes_are_bounded_oldest_first() {
        let grants = Grants::default();
        let first = grants.issue(grant(0));
        let codes: Vec<String> = (1..=MAX_PENDING).map(|n| grants.issue(grant(n))).collect();
        assert!(grants.redeem(&first).is_none(), "the oldest was dropped");
        assert_eq!(
            grants.redeem(&codes[MAX_PENDING - 1]).unwrap().challenge,
            format!("c{MAX_PENDING}")
        );
        assert_ne!(codes[0], codes[1]);
    }
}
