//! The AWS SDK configuration local-api runs on, built field by field so that
//! `seed`, `token`, `inbox` and `serve` can only ever reach a loopback endpoint:
//!
//! - every service goes to `AWS_ENDPOINT_URL`, which must be an `http(s)://` URL
//!   of a loopback host (`127.0.0.0/8`, `::1` or `localhost`) with no path, query
//!   or user info;
//! - `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` set to anything but `false` is refused:
//!   it asks the SDK to skip the configured endpoint, which local-api never does;
//! - a per-service `AWS_ENDPOINT_URL_<SERVICE>` off loopback is refused; one on
//!   loopback is not honoured (the configuration carries no per-service settings,
//!   so every client uses `AWS_ENDPOINT_URL`), and is logged as ignored;
//! - the shared config and credentials files are never read, so no profile
//!   setting (`endpoint_url`, `services`, `ignore_configured_endpoint_urls`,
//!   `role_arn`, SSO, `credential_process`) can redirect a client or make a
//!   credential provider call AWS;
//! - credentials come from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (and
//!   `AWS_SESSION_TOKEN`) only, the region from `AWS_REGION` or
//!   `AWS_DEFAULT_REGION` only: the SDK's default chains would otherwise ask the
//!   instance metadata service or STS over the network.
//!
//! Everything is checked from the environment before any client exists, so a
//! refusal happens before any network call.

use std::{ffi::OsString, net::IpAddr, time::Duration};

use aws_config::{BehaviorVersion, Region, SdkConfig, retry::RetryConfig, timeout::TimeoutConfig};
use aws_credential_types::{Credentials, provider::SharedCredentialsProvider};
use aws_smithy_async::{
    rt::sleep::{SharedAsyncSleep, TokioSleep},
    time::{SharedTimeSource, SystemTimeSource},
};
use handlers::aws::clients::https_client;

/// The variable naming the one endpoint every service is sent to.
pub const ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL";
/// The prefix of the SDK's per-service endpoint variables (`AWS_ENDPOINT_URL_S3`, …).
const SERVICE_ENDPOINT_PREFIX: &str = "AWS_ENDPOINT_URL_";
/// The variable that tells the SDK to ignore configured endpoints.
pub const IGNORE_ENDPOINTS_VARIABLE: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
/// The SDK's default connect timeout, kept here since the configuration is
/// built without the SDK's loader.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3_100);

/// Why local-api refuses to start: the environment could send a request off
/// this machine, or lacks what a local run needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalAwsError {
    /// `AWS_ENDPOINT_URL` is missing or empty.
    #[error(
        "AWS_ENDPOINT_URL is not set: local-api only runs against a local endpoint such as moto (e.g. http://127.0.0.1:5000)"
    )]
    MissingEndpoint,
    /// An endpoint variable is not a loopback URL.
    #[error("{variable}={value:?} is refused: {reason}; local-api only talks to this machine")]
    NotLoopback {
        /// The variable.
        variable: String,
        /// Its value (an endpoint, never a secret).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` asks to bypass the local endpoint.
    #[error(
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS={0:?} is refused: it tells the SDK to skip AWS_ENDPOINT_URL, and local-api only runs against it"
    )]
    IgnoreEndpoints(String),
    /// A variable local-api reads is not valid Unicode.
    #[error("{0} is not valid UTF-8")]
    NotUnicode(String),
    /// No region in the environment.
    #[error("no AWS region: set AWS_REGION (e.g. us-east-1); profiles are not read")]
    MissingRegion,
    /// No credentials in the environment.
    #[error(
        "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (moto takes any; never real ones); profiles are not read"
    )]
    MissingCredentials,
}

/// What local-api takes from the environment, checked: the loopback endpoint,
/// the region and the credentials.
#[derive(Debug, Clone)]
pub struct LocalAws {
    endpoint: String,
    region: String,
    credentials: Credentials,
    ignored: Vec<String>,
}

impl LocalAws {
    /// Reads and checks the process environment.
    pub fn from_env() -> Result<Self, LocalAwsError> {
        Self::from_vars(std::env::vars_os())
    }

    /// Reads and checks the variables `vars` (name, value), as the process
    /// environment would give them.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Self, LocalAwsError> {
        let mut endpoint = None;
        let mut region = None;
        let mut default_region = None;
        let mut access_key = None;
        let mut secret_key = None;
        let mut session_token = None;
        let mut service_endpoints = Vec::new();
        let mut ignore = None;
        for (name, value) in vars {
            // No variable the SDK reads has a name that is not ASCII.
            let Ok(name) = name.into_string() else {
                continue;
            };
            let slot = match name.as_str() {
                ENDPOINT_VARIABLE => &mut endpoint,
                IGNORE_ENDPOINTS_VARIABLE => &mut ignore,
                "AWS_REGION" => &mut region,
                "AWS_DEFAULT_REGION" => &mut default_region,
                "AWS_ACCESS_KEY_ID" => &mut access_key,
                "AWS_SECRET_ACCESS_KEY" => &mut secret_key,
                "AWS_SESSION_TOKEN" => &mut session_token,
                _ if name.starts_with(SERVICE_ENDPOINT_PREFIX) => {
                    let value = unicode(&name, value)?;
                    service_endpoints.push((name, value));
                    continue;
                }
                _ => continue,
            };
            *slot = Some(unicode(&name, value)?).filter(|value| !value.is_empty());
        }

        if let Some(value) = ignore.filter(|value| !value.eq_ignore_ascii_case("false")) {
            return Err(LocalAwsError::IgnoreEndpoints(value));
        }
        let endpoint = endpoint.ok_or(LocalAwsError::MissingEndpoint)?;
        let endpoint = loopback_endpoint(&endpoint)
            .map_err(|reason| not_loopback(ENDPOINT_VARIABLE, &endpoint, reason))?;
        service_endpoints.sort();
        let mut ignored = Vec::new();
        for (name, value) in service_endpoints {
            if value.is_empty() {
                continue;
            }
            loopback_endpoint(&value).map_err(|reason| not_loopback(&name, &value, reason))?;
            ignored.push(name);
        }
        let region = region
            .or(default_region)
            .ok_or(LocalAwsError::MissingRegion)?;
        let (Some(access_key), Some(secret_key)) = (access_key, secret_key) else {
            return Err(LocalAwsError::MissingCredentials);
        };
        Ok(Self {
            endpoint,
            region,
            credentials: Credentials::new(
                access_key,
                secret_key,
                session_token,
                None,
                "local-api environment",
            ),
            ignored,
        })
    }

    /// The loopback endpoint every service is sent to (no trailing `/`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The per-service endpoint variables that were set (on loopback) and are
    /// not honoured, by name.
    pub fn ignored_variables(&self) -> &[String] {
        &self.ignored
    }

    /// The SDK configuration: the endpoint, region and credentials above and
    /// the SDK's own defaults for the rest (standard retries, its connect
    /// timeout), with no per-service or profile settings.
    pub fn sdk_config(&self) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(self.region.clone()))
            .credentials_provider(SharedCredentialsProvider::new(self.credentials.clone()))
            .http_client(https_client())
            .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
            .time_source(SharedTimeSource::new(SystemTimeSource::new()))
            .retry_config(RetryConfig::standard())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .build(),
            )
            .build()
    }
}

fn unicode(name: &str, value: OsString) -> Result<String, LocalAwsError> {
    value
        .into_string()
        .map_err(|_| LocalAwsError::NotUnicode(name.to_owned()))
}

fn not_loopback(variable: &str, value: &str, reason: &'static str) -> LocalAwsError {
    LocalAwsError::NotLoopback {
        variable: variable.to_owned(),
        value: without_user_info(value),
        reason,
    }
}

/// `value` with any user info (`user:password@`) masked, so that an error never
/// repeats a password.
fn without_user_info(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once("://") else {
        return value.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[authority_end..]),
        None => value.to_owned(),
    }
}

/// `value` as an endpoint URL on this machine, without a trailing `/`: the
/// scheme `http` or `https`, a loopback host (an address in `127.0.0.0/8`,
/// `::1`, or the name `localhost`), an optional port, and nothing else. The
/// reason it is refused otherwise.
pub fn loopback_endpoint(value: &str) -> Result<String, &'static str> {
    let uri: http::Uri = value.parse().map_err(|_| "not a URL")?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err("the scheme must be http or https"),
    }
    let authority = uri.authority().ok_or("no host")?;
    if authority.as_str().contains('@') {
        return Err("user info is not allowed");
    }
    if uri.query().is_some() || !matches!(uri.path(), "" | "/") {
        return Err("only scheme, host and port are allowed");
    }
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|host| host.strip_suffix(']'))
        .unwrap_or(host);
    let loopback = match host.parse::<IpAddr>() {
        Ok(address) => address.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    };
    if !loopback {
        return Err("the host is not a loopback address (127.0.0.0/8, ::1 or localhost)");
    }
    Ok(value.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(name, value)| (OsString::from(name), OsString::from(value)))
            .collect()
    }

    const BASE: [(&str, &str); 4] = [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
    ];

    fn with(extra: &[(&str, &str)]) -> Result<LocalAws, LocalAwsError> {
        let mut pairs = BASE.to_vec();
        for (name, value) in extra {
            pairs.retain(|(existing, _)| existing != name);
            pairs.push((name, value));
        }
        LocalAws::from_vars(vars(&pairs))
    }

    #[test]
    fn loopback_urls_are_accepted() {
        for (url, normalised) in [
            ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
            ("http://127.0.0.1:5000/", "http://127.0.0.1:5000"),
            ("https://127.255.0.9", "https://127.255.0.9"),
            ("http://[::1]:5000", "http://[::1]:5000"),
            ("http://localhost:5000", "http://localhost:5000"),
            ("https://LOCALHOST", "https://LOCALHOST"),
        ] {
            assert_eq!(loopback_endpoint(url).as_deref(), Ok(normalised), "{url}");
        }
    }

    #[test]
    fn anything_off_this_machine_or_odd_is_refused() {
        for url in [
            "https://s3.us-east-1.amazonaws.com",
            "https://cognito-idp.us-east-1.amazonaws.com",
            "http://0.0.0.0:5000",
            "http://[::]:5000",
            "http://[::ffff:127.0.0.1]:5000",
            "http://10.0.0.1:5000",
            "http://128.0.0.1",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
            "http://localhost.",
            "http://user:pass@127.0.0.1:5000",
            "http://evil.example@127.0.0.1",
            "ftp://127.0.0.1",
            "127.0.0.1:5000",
            "http://127.0.0.1:5000/moto",
            "http://127.0.0.1:5000?x=1",
            " http://127.0.0.1:5000",
            "",
        ] {
            assert!(loopback_endpoint(url).is_err(), "{url}");
        }
    }

    #[test]
    fn a_refused_url_is_never_repeated_with_its_user_info() {
        let refused =
            with(&[("AWS_ENDPOINT_URL", "http://me:secret@127.0.0.1:5000/x")]).unwrap_err();
        let message = refused.to_string();
        assert!(
            !message.contains("secret") && !message.contains("me:"),
            "{message}"
        );
        assert!(message.contains("http://***@127.0.0.1:5000/x"), "{message}");
        assert_eq!(
            without_user_info("http://127.0.0.1:5000"),
            "http://127.0.0.1:5000"
        );
    }

    #[test]
    fn a_complete_local_environment_is_accepted() {
        let local = with(&[]).unwrap();
        assert_eq!(local.endpoint(), "http://127.0.0.1:5000");
        assert_eq!(local.region(), "us-east-1");
        let config = local.sdk_config();
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:5000"));
        assert_eq!(config.region().map(|r| r.as_ref()), Some("us-east-1"));
        // No per-service or profile settings travel with it.
        assert!(config.service_config().is_none());
        let local = with(&[
            ("AWS_REGION", ""),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "FALSE"),
        ])
        .unwrap();
        assert_eq!(local.region(), "eu-west-1");
    }

    #[test]
    fn the_endpoint_must_be_set_and_on_loopback() {
        let mut pairs = BASE.to_vec();
        pairs.remove(0);
        assert_eq!(
            LocalAws::from_vars(vars(&pairs)).unwrap_err(),
            LocalAwsError::MissingEndpoint
        );
        assert_eq!(
            with(&[("AWS_ENDPOINT_URL", "")]).unwrap_err(),
            LocalAwsError::MissingEndpoint
        );
        let refused = with(&[("AWS_ENDPOINT_URL", "https://s3.amazonaws.com")]).unwrap_err();
        assert!(
            matches!(&refused, LocalAwsError::NotLoopback { variable, .. } if variable == "AWS_ENDPOINT_URL"),
            "{refused:?}"
        );
    }

    #[test]
    fn ignoring_configured_endpoints_is_refused() {
        for value in ["true", "TRUE", "1", "yes"] {
            assert_eq!(
                with(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", value)]).unwrap_err(),
                LocalAwsError::IgnoreEndpoints(value.to_owned()),
                "{value}"
            );
        }
        assert!(with(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")]).is_ok());
    }

    #[test]
    fn per_service_endpoints_off_loopback_are_refused_and_on_loopback_ignored() {
        for name in [
            "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL_SSM",
            "AWS_ENDPOINT_URL_SNS",
            "AWS_ENDPOINT_URL_SQS",
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            "AWS_ENDPOINT_URL_STS",
        ] {
            let refused = with(&[(name, "https://example.amazonaws.com")]).unwrap_err();
            assert!(
                matches!(&refused, LocalAwsError::NotLoopback { variable, .. } if variable == name),
                "{name}: {refused:?}"
            );
            let local = with(&[(name, "http://127.0.0.1:1")]).unwrap();
            assert_eq!(local.ignored_variables(), [name.to_owned()]);
            assert_eq!(
                local.sdk_config().endpoint_url(),
                Some("http://127.0.0.1:5000")
            );
        }
    }

    #[test]
    fn region_and_credentials_come_from_the_environment_only() {
        assert_eq!(
            with(&[("AWS_REGION", "")]).unwrap_err(),
            LocalAwsError::MissingRegion
        );
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            assert_eq!(
                with(&[(name, ""), ("AWS_PROFILE", "default")]).unwrap_err(),
                LocalAwsError::MissingCredentials,
                "{name}"
            );
        }
    }
}
