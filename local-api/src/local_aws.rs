//! The AWS SDK configuration local-api runs on, built field by field so that
//! `seed`, `token`, `inbox` and `serve` can only ever reach a loopback endpoint.
//! Every endpoint setting the SDK would read is honoured on loopback or refused, in
//! the SDK's order of precedence (AWS SDKs and Tools reference guide,
//! "Service-specific endpoints"):
//!
//! - `AWS_ENDPOINT_URL` is required and must be an `http(s)://` URL of a loopback
//!   host (`127.0.0.0/8`, `::1` or `localhost`) with no path, query or user info;
//! - a per-service `AWS_ENDPOINT_URL_<SERVICE>` must be such a URL too, and then
//!   sends its service there, as it does in the SDK;
//! - `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, or when it is unset the profile's
//!   `ignore_configured_endpoint_urls`, set to anything but `false` is refused: it
//!   asks the SDK to skip the configured endpoints for AWS's own;
//! - of the shared config file's selected profile (`AWS_CONFIG_FILE`, `AWS_PROFILE`),
//!   `endpoint_url` and its `services` section's endpoints of the services local-api
//!   uses must be on loopback too; there `AWS_ENDPOINT_URL` outranks them, as in the
//!   SDK, so they are not used;
//! - nothing else of a profile is read: credentials come from `AWS_ACCESS_KEY_ID`/
//!   `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) only, the region from
//!   `AWS_REGION` or `AWS_DEFAULT_REGION` only, since a profile's role, SSO or
//!   `credential_process`, and the SDK's default chains, would call out over the
//!   network (STS, SSO, the instance metadata service).
//!
//! Everything is checked before any client exists, so a refusal happens before any
//! network call.

use std::{collections::BTreeMap, ffi::OsString, net::IpAddr, time::Duration};

use aws_config::{
    BehaviorVersion, Region, SdkConfig, profile::ProfileSet, retry::RetryConfig,
    timeout::TimeoutConfig,
};
use aws_credential_types::{Credentials, provider::SharedCredentialsProvider};
use aws_runtime::env_config::{file::EnvConfigFiles, property::PropertiesKey};
use aws_smithy_async::{
    rt::sleep::{SharedAsyncSleep, TokioSleep},
    time::{SharedTimeSource, SystemTimeSource},
};
use aws_types::{
    os_shim_internal::{Env, Fs},
    service_config::{LoadServiceConfig, ServiceConfigKey},
};
use handlers::aws::clients::https_client;

/// The variable naming the endpoint every service is sent to, unless a
/// per-service variable names another loopback endpoint for it.
pub const ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL";
/// The prefix of the SDK's per-service endpoint variables (`AWS_ENDPOINT_URL_S3`, …).
const SERVICE_ENDPOINT_PREFIX: &str = "AWS_ENDPOINT_URL_";
/// The variable that tells the SDK to ignore configured endpoints.
pub const IGNORE_ENDPOINTS_VARIABLE: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
/// The SDK service id of Cognito user pools, whose endpoint also serves the
/// pools' key sets.
pub const COGNITO: &str = "Cognito Identity Provider";
/// The SDK service ids of the clients local-api builds.
pub const SERVICES: [&str; 6] = ["S3", "SSM", "SNS", "SQS", "DynamoDB", COGNITO];
/// A profile's endpoint setting, also the key of each service in its `services` section.
const PROFILE_ENDPOINT: &str = "endpoint_url";
/// A profile's setting that tells the SDK to ignore configured endpoints.
const PROFILE_IGNORE: &str = "ignore_configured_endpoint_urls";
/// A profile's setting that names its `services` section.
const SERVICES_SECTION: &str = "services";
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
    /// An endpoint setting is not a loopback URL.
    #[error("{setting}={value:?} is refused: {reason}; local-api only talks to this machine")]
    NotLoopback {
        /// The variable, or the profile's setting.
        setting: String,
        /// Its value (an endpoint, never a secret: user info is masked).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A setting asks the SDK to bypass the configured (local) endpoints.
    #[error(
        "{setting}={value:?} is refused: it tells the SDK to skip the configured endpoints (AWS_ENDPOINT_URL) for AWS's own, and local-api only runs against them"
    )]
    IgnoreEndpoints {
        /// The variable, or the profile's setting.
        setting: String,
        /// Its value.
        value: String,
    },
    /// The shared config or credentials file could not be read or parsed, so
    /// its endpoint settings cannot be checked.
    #[error(
        "the shared AWS config could not be read, so its endpoint settings cannot be checked: {0} (fix it, or point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE elsewhere)"
    )]
    SharedConfig(String),
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

/// What local-api takes from the environment, checked: the loopback endpoints,
/// the region and the credentials.
#[derive(Debug, Clone)]
pub struct LocalAws {
    endpoint: String,
    service_endpoints: ServiceEndpoints,
    region: String,
    credentials: Credentials,
    outranked: Vec<String>,
}

impl LocalAws {
    /// Reads and checks the process environment and the shared config files it
    /// names.
    pub async fn from_env() -> Result<Self, LocalAwsError> {
        let profiles = shared_config(&Fs::real(), &Env::real()).await?;
        Self::from_parts(std::env::vars_os(), &profiles)
    }

    /// Reads and checks the variables `vars` (name, value), as the process
    /// environment would give them, and the selected profile of `profiles`.
    pub fn from_parts(
        vars: impl IntoIterator<Item = (OsString, OsString)>,
        profiles: &ProfileSet,
    ) -> Result<Self, LocalAwsError> {
        let mut endpoint = None;
        let mut region = None;
        let mut default_region = None;
        let mut access_key = None;
        let mut secret_key = None;
        let mut session_token = None;
        let mut service_variables = Vec::new();
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
                    service_variables.push((name, value));
                    continue;
                }
                _ => continue,
            };
            *slot = Some(unicode(&name, value)?).filter(|value| !value.is_empty());
        }

        // The variable wins over the profile, as in the SDK.
        let ignore = match ignore {
            Some(value) => Some((IGNORE_ENDPOINTS_VARIABLE.to_owned(), value)),
            None => profiles
                .get(PROFILE_IGNORE)
                .map(|value| (profile_setting(profiles, PROFILE_IGNORE), value.to_owned())),
        };
        if let Some((setting, value)) =
            ignore.filter(|(_, value)| !value.trim().eq_ignore_ascii_case("false"))
        {
            return Err(LocalAwsError::IgnoreEndpoints { setting, value });
        }
        let endpoint = endpoint.ok_or(LocalAwsError::MissingEndpoint)?;
        let endpoint = loopback_endpoint(&endpoint)
            .map_err(|reason| not_loopback(ENDPOINT_VARIABLE, &endpoint, reason))?;
        let mut service_endpoints = BTreeMap::new();
        for (name, value) in service_variables {
            if value.is_empty() {
                continue;
            }
            let url =
                loopback_endpoint(&value).map_err(|reason| not_loopback(&name, &value, reason))?;
            service_endpoints.insert(name, url);
        }
        let mut outranked = Vec::new();
        for (setting, value) in profile_endpoints(profiles) {
            loopback_endpoint(&value).map_err(|reason| not_loopback(&setting, &value, reason))?;
            outranked.push(setting);
        }
        let region = region
            .or(default_region)
            .ok_or(LocalAwsError::MissingRegion)?;
        let (Some(access_key), Some(secret_key)) = (access_key, secret_key) else {
            return Err(LocalAwsError::MissingCredentials);
        };
        Ok(Self {
            endpoint,
            service_endpoints: ServiceEndpoints(service_endpoints),
            region,
            credentials: Credentials::new(
                access_key,
                secret_key,
                session_token,
                None,
                "local-api environment",
            ),
            outranked,
        })
    }

    /// The loopback endpoint of `AWS_ENDPOINT_URL` (no trailing `/`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Where the client of `service_id` (an SDK service id such as `S3` or
    /// [`COGNITO`]) is sent: its `AWS_ENDPOINT_URL_<SERVICE>`, or `AWS_ENDPOINT_URL`.
    pub fn endpoint_for(&self, service_id: &str) -> &str {
        self.service_endpoints
            .0
            .get(&service_variable(service_id))
            .map_or(&self.endpoint, String::as_str)
    }

    /// The per-service endpoint variables honoured, with their endpoints.
    pub fn service_endpoints(&self) -> impl Iterator<Item = (&str, &str)> {
        self.service_endpoints
            .0
            .iter()
            .map(|(variable, url)| (variable.as_str(), url.as_str()))
    }

    /// The profile's endpoint settings (on loopback) that `AWS_ENDPOINT_URL`
    /// outranks, so that they are not used.
    pub fn outranked_settings(&self) -> &[String] {
        &self.outranked
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The SDK configuration: the endpoints, region and credentials above and
    /// the SDK's own defaults for the rest (standard retries, its connect
    /// timeout), with no profile settings.
    pub fn sdk_config(&self) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .service_config(self.service_endpoints.clone())
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

/// The per-service endpoints honoured, by the variable that set them: what each
/// client asks its configuration for when it is built (the key `AWS_ENDPOINT_URL`
/// with its service id). Every other setting is left to the SDK's defaults.
#[derive(Debug, Clone, Default)]
struct ServiceEndpoints(BTreeMap<String, String>);

impl LoadServiceConfig for ServiceEndpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        if key.env() != ENDPOINT_VARIABLE || key.profile() != PROFILE_ENDPOINT {
            return None;
        }
        self.0.get(&service_variable(key.service_id())).cloned()
    }
}

/// The per-service endpoint variable of `service_id`, as the SDK spells it
/// (`Cognito Identity Provider` → `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`).
fn service_variable(service_id: &str) -> String {
    format!(
        "{SERVICE_ENDPOINT_PREFIX}{}",
        service_id.to_uppercase().replace(' ', "_")
    )
}

/// The shared config and credentials files as the SDK reads them
/// (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_PROFILE`, the home
/// directory), with `fs` and `env`; empty when there are none. Only local files
/// are read.
pub async fn shared_config(fs: &Fs, env: &Env) -> Result<ProfileSet, LocalAwsError> {
    aws_config::profile::load(fs, env, &EnvConfigFiles::default(), None)
        .await
        .map_err(|error| LocalAwsError::SharedConfig(error.to_string()))
}

/// The selected profile's endpoint settings, by a name for messages: its
/// `endpoint_url`, and in its `services` section the `endpoint_url` of each
/// service of [`SERVICES`]. A service's key is looked for as the Rust SDK spells
/// it (`cognito-identity-provider`) and as the guide's table does
/// (`cognito_identity_provider`).
fn profile_endpoints(profiles: &ProfileSet) -> Vec<(String, String)> {
    let mut found = Vec::new();
    if let Some(url) = profiles.get(PROFILE_ENDPOINT) {
        found.push((profile_setting(profiles, PROFILE_ENDPOINT), url.to_owned()));
    }
    let Some(section) = profiles.get(SERVICES_SECTION) else {
        return found;
    };
    for service in SERVICES {
        let lower = service.to_lowercase();
        let mut names = vec![lower.replace(' ', "-"), lower.replace(' ', "_")];
        names.dedup();
        for name in names {
            let key = PropertiesKey::builder()
                .section_key(SERVICES_SECTION)
                .section_name(section)
                .property_name(&name)
                .sub_property_name(PROFILE_ENDPOINT)
                .build();
            if let Some(url) = key
                .ok()
                .and_then(|key| profiles.other_sections().get(&key).cloned())
            {
                found.push((
                    format!("[services {section}] {name}.{PROFILE_ENDPOINT}"),
                    url,
                ));
            }
        }
    }
    found
}

/// A setting of the selected profile, named for messages.
fn profile_setting(profiles: &ProfileSet, setting: &str) -> String {
    format!("[profile {}] {setting}", profiles.selected_profile())
}

fn unicode(name: &str, value: OsString) -> Result<String, LocalAwsError> {
    value
        .into_string()
        .map_err(|_| LocalAwsError::NotUnicode(name.to_owned()))
}

fn not_loopback(setting: &str, value: &str, reason: &'static str) -> LocalAwsError {
    LocalAwsError::NotLoopback {
        setting: setting.to_owned(),
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

    /// The shared config `config` (an `AWS_CONFIG_FILE` of that text), read as
    /// the SDK reads it, with `AWS_PROFILE` set to `profile` if given.
    fn profiles(config: &str, profile: Option<&str>) -> Result<ProfileSet, LocalAwsError> {
        let fs = Fs::from_slice(&[("/config", config)]);
        let mut env = vec![("AWS_CONFIG_FILE", "/config"), ("HOME", "/home")];
        env.extend(profile.map(|profile| ("AWS_PROFILE", profile)));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(shared_config(&fs, &Env::from_slice(&env)))
    }

    fn with_profile(extra: &[(&str, &str)], config: &str) -> Result<LocalAws, LocalAwsError> {
        let mut pairs = BASE.to_vec();
        for (name, value) in extra {
            pairs.retain(|(existing, _)| existing != name);
            pairs.push((name, value));
        }
        let profile = pairs
            .iter()
            .find(|(name, _)| *name == "AWS_PROFILE")
            .map(|(_, value)| *value);
        LocalAws::from_parts(vars(&pairs), &profiles(config, profile)?)
    }

    fn with(extra: &[(&str, &str)]) -> Result<LocalAws, LocalAwsError> {
        with_profile(extra, "")
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
        for service in SERVICES {
            assert_eq!(local.endpoint_for(service), "http://127.0.0.1:5000");
        }
        assert_eq!(local.service_endpoints().count(), 0);
        assert!(local.outranked_settings().is_empty());
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
        let empty = profiles("", None).unwrap();
        assert_eq!(
            LocalAws::from_parts(vars(&pairs), &empty).unwrap_err(),
            LocalAwsError::MissingEndpoint
        );
        assert_eq!(
            with(&[("AWS_ENDPOINT_URL", "")]).unwrap_err(),
            LocalAwsError::MissingEndpoint
        );
        let refused = with(&[("AWS_ENDPOINT_URL", "https://s3.amazonaws.com")]).unwrap_err();
        assert!(
            matches!(&refused, LocalAwsError::NotLoopback { setting, .. } if setting == "AWS_ENDPOINT_URL"),
            "{refused:?}"
        );
    }

    #[test]
    fn ignoring_configured_endpoints_is_refused() {
        for value in ["true", "TRUE", "1", "yes"] {
            assert_eq!(
                with(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", value)]).unwrap_err(),
                LocalAwsError::IgnoreEndpoints {
                    setting: IGNORE_ENDPOINTS_VARIABLE.to_owned(),
                    value: value.to_owned()
                },
                "{value}"
            );
        }
        assert!(with(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")]).is_ok());
    }

    #[test]
    fn a_profile_that_ignores_configured_endpoints_is_refused_unless_the_variable_says_false() {
        let config = "[default]\nignore_configured_endpoint_urls = true\n\n\
                      [profile work]\nignore_configured_endpoint_urls = True\n\n\
                      [profile plain]\nregion = us-east-1\n";
        for (profile, name) in [(None, "default"), (Some("work"), "work")] {
            let extra: Vec<(&str, &str)> =
                profile.map(|p| ("AWS_PROFILE", p)).into_iter().collect();
            let refused = with_profile(&extra, config).unwrap_err();
            assert!(
                matches!(&refused, LocalAwsError::IgnoreEndpoints { setting, value }
                    if setting == &format!("[profile {name}] ignore_configured_endpoint_urls")
                        && value.eq_ignore_ascii_case("true")),
                "{profile:?}: {refused:?}"
            );
        }
        assert!(with_profile(&[("AWS_PROFILE", "plain")], config).is_ok());
        // The variable outranks the profile, as in the SDK.
        assert!(with_profile(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")], config).is_ok());
    }

    #[test]
    fn per_service_endpoints_off_loopback_are_refused_and_on_loopback_honoured() {
        for (service, name) in [
            ("S3", "AWS_ENDPOINT_URL_S3"),
            ("SSM", "AWS_ENDPOINT_URL_SSM"),
            ("SNS", "AWS_ENDPOINT_URL_SNS"),
            ("SQS", "AWS_ENDPOINT_URL_SQS"),
            ("DynamoDB", "AWS_ENDPOINT_URL_DYNAMODB"),
            (COGNITO, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"),
        ] {
            let refused = with(&[(name, "https://example.amazonaws.com")]).unwrap_err();
            assert!(
                matches!(&refused, LocalAwsError::NotLoopback { setting, .. } if setting == name),
                "{name}: {refused:?}"
            );
            let local = with(&[(name, "http://127.0.0.1:1/")]).unwrap();
            assert_eq!(local.endpoint_for(service), "http://127.0.0.1:1", "{name}");
            assert_eq!(
                local.service_endpoints().collect::<Vec<_>>(),
                [(name, "http://127.0.0.1:1")]
            );
            for other in SERVICES.iter().filter(|other| **other != service) {
                assert_eq!(local.endpoint_for(other), "http://127.0.0.1:5000");
            }
            // What each client's configuration asks for when it is built.
            let key = ServiceConfigKey::builder()
                .service_id(service)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .unwrap();
            let config = local.sdk_config();
            let loaded = config.service_config().and_then(|c| c.load_config(key));
            assert_eq!(loaded.as_deref(), Some("http://127.0.0.1:1"), "{name}");
        }
        // A variable for a service local-api does not use is held to the same rule.
        assert!(with(&[("AWS_ENDPOINT_URL_STS", "https://sts.amazonaws.com")]).is_err());
        assert!(with(&[("AWS_ENDPOINT_URL_S3", "")]).is_ok());
    }

    #[test]
    fn profile_endpoints_off_loopback_are_refused_and_on_loopback_outranked() {
        let off = "https://s3.us-east-1.amazonaws.com";
        for (config, setting) in [
            (
                format!("[default]\nendpoint_url = {off}\n"),
                "[profile default] endpoint_url".to_owned(),
            ),
            (
                format!(
                    "[default]\nservices = dev\n[services dev]\ns3 =\n  endpoint_url = {off}\n"
                ),
                "[services dev] s3.endpoint_url".to_owned(),
            ),
            (
                format!(
                    "[default]\nservices = dev\n[services dev]\ncognito_identity_provider =\n  endpoint_url = {off}\n"
                ),
                "[services dev] cognito_identity_provider.endpoint_url".to_owned(),
            ),
            (
                format!(
                    "[default]\nservices = dev\n[services dev]\ncognito-identity-provider =\n  endpoint_url = {off}\n"
                ),
                "[services dev] cognito-identity-provider.endpoint_url".to_owned(),
            ),
            (
                format!(
                    "[profile work]\nservices = dev\n[services dev]\ndynamodb =\n  endpoint_url = {off}\n"
                ),
                "[services dev] dynamodb.endpoint_url".to_owned(),
            ),
        ] {
            let extra: &[(&str, &str)] = if config.contains("[profile work]") {
                &[("AWS_PROFILE", "work")]
            } else {
                &[]
            };
            let refused = with_profile(extra, &config).unwrap_err();
            assert!(
                matches!(&refused, LocalAwsError::NotLoopback { setting: got, .. } if got == &setting),
                "{config}: {refused:?}"
            );
        }
        // Another profile's settings do not matter.
        let other =
            format!("[default]\nregion = us-east-1\n[profile work]\nendpoint_url = {off}\n");
        assert!(with_profile(&[], &other).is_ok());

        let on = "[default]\nendpoint_url = http://127.0.0.1:1\nservices = dev\n\
                  [services dev]\nsqs =\n  endpoint_url = http://localhost:2\n";
        let local = with_profile(&[], on).unwrap();
        assert_eq!(
            local.outranked_settings(),
            [
                "[profile default] endpoint_url",
                "[services dev] sqs.endpoint_url"
            ]
        );
        for service in SERVICES {
            assert_eq!(local.endpoint_for(service), "http://127.0.0.1:5000");
        }
    }

    #[test]
    fn an_unreadable_shared_config_is_refused() {
        let refused = profiles("[default\nregion = us-east-1\n", None).unwrap_err();
        assert!(
            matches!(refused, LocalAwsError::SharedConfig(_)),
            "{refused:?}"
        );
        assert!(profiles("", None).unwrap().is_empty());
    }

    #[test]
    fn region_and_credentials_come_from_the_environment_only() {
        let config =
            "[default]\nregion = us-east-1\naws_access_key_id = a\naws_secret_access_key = b\n";
        assert_eq!(
            with_profile(&[("AWS_REGION", "")], config).unwrap_err(),
            LocalAwsError::MissingRegion
        );
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            assert_eq!(
                with_profile(&[(name, ""), ("AWS_PROFILE", "default")], config).unwrap_err(),
                LocalAwsError::MissingCredentials,
                "{name}"
            );
        }
    }
}
