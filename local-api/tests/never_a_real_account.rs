//! The real binary, in an emptied environment per case: every setting that could
//! send `seed` or `serve` off this machine is refused before any connection is
//! made, and the settings it ignores (per-service endpoints on loopback, the shared
//! config and credentials files) redirect no client.
//!
//! A decoy listener on loopback counts the connections it gets. Values meant to
//! be refused point at it through `0.0.0.0`, which Linux connects to this machine:
//! were a refused value used, the decoy would see it, and no test ever aims at an
//! address off this machine.

// Test helpers panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::Write as _,
    net::{Shutdown, TcpListener, TcpStream},
    process::{Command, Output, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    thread::JoinHandle,
};

use dragons_harness::moto::Moto;

/// A listener on 127.0.0.1 that closes every connection at once and counts them.
struct Decoy {
    port: u16,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Decoy {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, stopping) = (Arc::clone(&connections), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.shutdown(Shutdown::Both);
                }
            }
        });
        Self {
            port,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    fn loopback(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://0.0.0.0:PORT`: not a loopback address, but it reaches this decoy.
    fn unspecified(&self) -> String {
        format!("http://0.0.0.0:{}", self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Decoy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A complete local environment (credentials moto takes), with `endpoint`.
fn local_env(endpoint: &str) -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// `env` with `name` set to `value` (or removed when `value` is `None`).
fn set(mut env: Vec<(String, String)>, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    env.retain(|(existing, _)| existing != name);
    if let Some(value) = value {
        env.push((name.to_owned(), value.to_owned()));
    }
    env
}

/// Runs the binary with exactly `env` (plus a `HOME` of its own) and `args`.
fn run(env: &[(String, String)], args: &[&str]) -> Output {
    let home = std::env::temp_dir().join(format!("local-api-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_local-api"));
    command
        .args(args)
        .env_clear()
        .env("HOME", &home)
        .envs(env.iter().map(|(name, value)| (name, value)))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdin(Stdio::null());
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `seed` with `env`; it must fail with `message` in its error and leave
/// the decoy untouched.
fn assert_refused(decoy: &Decoy, case: &str, env: &[(String, String)], message: &str) {
    for args in [
        &["seed"][..],
        &[
            "serve",
            "--port",
            "0",
            "--user-pool-id",
            "p",
            "--client-id",
            "c",
            "--topic-arn",
            "t",
        ][..],
    ] {
        let output = run(env, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "{case} {args:?}: started\n{stderr}"
        );
        assert!(
            stderr.contains(message),
            "{case} {args:?}: expected {message:?} in\n{stderr}"
        );
        assert!(output.stdout.is_empty(), "{case}: printed exports");
    }
    assert_eq!(decoy.connections(), 0, "{case}: a connection was made");
}

#[test]
fn the_endpoint_must_be_a_loopback_url() {
    let decoy = Decoy::start();
    let good = local_env(&decoy.loopback());
    let cases: [(&str, Option<String>, &str); 6] = [
        ("unset", None, "AWS_ENDPOINT_URL is not set"),
        ("empty", Some(String::new()), "AWS_ENDPOINT_URL is not set"),
        (
            "0.0.0.0",
            Some(decoy.unspecified()),
            "is not a loopback address",
        ),
        (
            "no scheme",
            Some(format!("127.0.0.1:{}", decoy.port)),
            "the scheme must be http or https",
        ),
        (
            "user info",
            Some(format!("http://someone@127.0.0.1:{}", decoy.port)),
            "user info is not allowed",
        ),
        (
            "a path",
            Some(format!("{}/elsewhere", decoy.loopback())),
            "only scheme, host and port",
        ),
    ];
    for (case, value, message) in cases {
        let env = set(good.clone(), "AWS_ENDPOINT_URL", value.as_deref());
        assert_refused(&decoy, case, &env, message);
    }
}

#[test]
fn ignoring_configured_endpoints_is_refused() {
    let decoy = Decoy::start();
    for value in ["true", "TRUE", "1"] {
        let env = set(
            local_env(&decoy.loopback()),
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            Some(value),
        );
        assert_refused(&decoy, value, &env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    }
}

#[test]
fn a_per_service_endpoint_off_loopback_is_refused() {
    let decoy = Decoy::start();
    for service in [
        "S3",
        "SSM",
        "SNS",
        "SQS",
        "COGNITO_IDENTITY_PROVIDER",
        "STS",
    ] {
        let name = format!("AWS_ENDPOINT_URL_{service}");
        let env = set(
            local_env(&decoy.loopback()),
            &name,
            Some(&decoy.unspecified()),
        );
        assert_refused(&decoy, &name, &env, &format!("{name}="));
    }
}

#[test]
fn region_and_credentials_are_never_taken_from_the_shared_files() {
    let decoy = Decoy::start();
    let files = std::env::temp_dir().join(format!("local-api-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    let config = files.join("config");
    let credentials = files.join("credentials");
    std::fs::write(&config, "[default]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        &credentials,
        "[default]\naws_access_key_id = local\naws_secret_access_key = local\n",
    )
    .unwrap();
    let with_files = |env: Vec<(String, String)>| {
        let env = set(env, "AWS_CONFIG_FILE", config.to_str());
        set(env, "AWS_SHARED_CREDENTIALS_FILE", credentials.to_str())
    };
    let no_region = with_files(set(local_env(&decoy.loopback()), "AWS_REGION", None));
    assert_refused(&decoy, "region in a profile", &no_region, "no AWS region");
    for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        let env = with_files(set(local_env(&decoy.loopback()), name, None));
        assert_refused(&decoy, name, &env, "no credentials");
    }
}

/// What `seed` does first goes to the endpoint: with the decoy as the endpoint it
/// fails there. This shows the decoy sees what the binary sends.
#[test]
fn the_decoy_sees_a_binary_pointed_at_it() {
    let decoy = Decoy::start();
    let output = run(&local_env(&decoy.loopback()), &["seed"]);
    assert!(!output.status.success());
    assert!(decoy.connections() > 0);
}

/// Per-service variables on loopback and every endpoint setting a profile can
/// hold, all pointing at the decoy: `seed` runs every service it uses (Cognito,
/// SNS, SQS, S3, SSM) against moto, and the decoy sees nothing.
#[test]
fn per_service_variables_and_profiles_redirect_no_client() {
    let moto = Moto::start().unwrap();
    let decoy = Decoy::start();
    let files = std::env::temp_dir().join(format!("local-api-redirect-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    let config = files.join("config");
    let mut file = std::fs::File::create(&config).unwrap();
    write!(
        file,
        "[default]\nendpoint_url = {decoy}\nignore_configured_endpoint_urls = true\nservices = decoy\n\n\
         [services decoy]\ns3 =\n  endpoint_url = {decoy}\nssm =\n  endpoint_url = {decoy}\n\
         sns =\n  endpoint_url = {decoy}\nsqs =\n  endpoint_url = {decoy}\n\
         cognito_identity_provider =\n  endpoint_url = {decoy}\n",
        decoy = decoy.loopback()
    )
    .unwrap();
    let mut env = local_env(&moto.endpoint());
    for service in ["S3", "SSM", "SNS", "SQS", "COGNITO_IDENTITY_PROVIDER"] {
        env.push((format!("AWS_ENDPOINT_URL_{service}"), decoy.loopback()));
    }
    env.push((
        "AWS_CONFIG_FILE".into(),
        config.to_string_lossy().into_owned(),
    ));
    env.push(("AWS_PROFILE".into(), "default".into()));

    let output = run(&env, &["seed"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("export DRAGONS_ID_TOKEN="), "{stdout}");
    assert!(
        stderr.contains("AWS_ENDPOINT_URL_S3") && stderr.contains("ignored"),
        "{stderr}"
    );
    assert_eq!(decoy.connections(), 0, "a client went to the decoy");
}
