//! The real binary, in an emptied environment per case: every setting that could
//! send `seed` or `serve` off this machine (`AWS_ENDPOINT_URL`, the per-service
//! `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, and a
//! profile's `endpoint_url`, `services` section and `ignore_configured_endpoint_urls`)
//! is refused before any connection is made; per-service variables on loopback send
//! their service there, as in the SDK; a profile's endpoints on loopback are
//! outranked by `AWS_ENDPOINT_URL`, and neither region nor credentials are ever
//! taken from the shared files.
//!
//! A decoy listener on loopback counts the connections it gets. Values meant to
//! be refused point at it through `0.0.0.0`, which Linux connects to this machine:
//! were a refused value used, the decoy would see it, and no test ever aims at an
//! address off this machine.

// Test helpers panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead as _, BufReader, Read as _, Write as _},
    net::{Shutdown, TcpListener, TcpStream},
    path::PathBuf,
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

/// Writes `text` as the shared config file `name` of the test `test`: its path.
fn config_file(test: &str, name: &str, text: &str) -> String {
    let directory = std::env::temp_dir().join(format!("local-api-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path: PathBuf = directory.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Runs `seed` with `env`; it must succeed: its `export` lines, as pairs.
fn seeded(env: &[(String, String)], args: &[&str]) -> Vec<(String, String)> {
    let output = run(env, args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?} failed:\n{stderr}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("export ")?.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.trim_matches('\'').to_owned()))
        .collect()
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

/// The selected profile's `ignore_configured_endpoint_urls`, `endpoint_url` and
/// `services` endpoints, off loopback or asking to skip the configured endpoints,
/// and a config file that cannot be read: each refused by `seed` and `serve`.
#[test]
fn profile_settings_that_could_leave_this_machine_are_refused() {
    let decoy = Decoy::start();
    let off = decoy.unspecified();
    let cases: [(&str, String, Option<&str>, &str); 7] = [
        (
            "ignore in the default profile",
            "[default]\nignore_configured_endpoint_urls = true\n".to_owned(),
            None,
            "[profile default] ignore_configured_endpoint_urls=\"true\" is refused",
        ),
        (
            "ignore in the selected profile",
            "[default]\nregion = us-east-1\n[profile work]\nignore_configured_endpoint_urls = true\n"
                .to_owned(),
            Some("work"),
            "[profile work] ignore_configured_endpoint_urls",
        ),
        (
            "endpoint_url",
            format!("[default]\nendpoint_url = {off}\n"),
            None,
            "[profile default] endpoint_url=",
        ),
        (
            "services: s3",
            format!("[default]\nservices = dev\n[services dev]\ns3 =\n  endpoint_url = {off}\n"),
            None,
            "[services dev] s3.endpoint_url=",
        ),
        (
            "services: cognito_identity_provider",
            format!(
                "[profile work]\nservices = dev\n[services dev]\ncognito_identity_provider =\n  endpoint_url = {off}\n"
            ),
            Some("work"),
            "[services dev] cognito_identity_provider.endpoint_url=",
        ),
        (
            "services: sns",
            format!("[default]\nservices = dev\n[services dev]\nsns =\n  endpoint_url = {off}\n"),
            None,
            "[services dev] sns.endpoint_url=",
        ),
        (
            "an unreadable file",
            "[default\nendpoint_url = http://127.0.0.1:1\n".to_owned(),
            None,
            "the shared AWS config could not be read",
        ),
    ];
    for (index, (case, text, profile, message)) in cases.into_iter().enumerate() {
        let path = config_file("refused", &format!("config-{index}"), &text);
        let env = set(local_env(&decoy.loopback()), "AWS_CONFIG_FILE", Some(&path));
        let env = set(env, "AWS_PROFILE", profile);
        assert_refused(&decoy, case, &env, message);
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
        "DYNAMODB",
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

/// The services `seed --store dynamodb` and `serve` use, by their variable suffix.
const SERVICES: [&str; 6] = [
    "S3",
    "SSM",
    "SNS",
    "SQS",
    "DYNAMODB",
    "COGNITO_IDENTITY_PROVIDER",
];

/// Per-service variables on loopback send their service there: with
/// `AWS_ENDPOINT_URL` on the decoy and every service's variable on moto, `seed`
/// succeeds and `serve` answers a GET (the key set read at Cognito's endpoint, the
/// data at DynamoDB's and SSM's) with the decoy seeing nothing; with only S3's on
/// the decoy, `seed` reaches the decoy for S3.
#[test]
fn per_service_variables_on_loopback_are_honoured() {
    let moto = Moto::start().unwrap();
    let decoy = Decoy::start();
    let mut env = local_env(&decoy.loopback());
    for service in SERVICES {
        env.push((format!("AWS_ENDPOINT_URL_{service}"), moto.endpoint()));
    }
    let exports = seeded(&env, &["seed", "--store", "dynamodb"]);
    assert_eq!(decoy.connections(), 0, "a client went to AWS_ENDPOINT_URL");

    let mut serve_env = env.clone();
    serve_env.extend(exports.iter().cloned());
    let token = exports
        .iter()
        .find(|(name, _)| name == "DRAGONS_ID_TOKEN")
        .map(|(_, value)| value.clone())
        .unwrap();
    let path = format!(
        "/{}/dragons?dragonName=Atlas",
        dragons_contract::names::STAGE
    );
    let status = get_from_serve(&serve_env, &path, &token);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(decoy.connections(), 0, "serve went to AWS_ENDPOINT_URL");

    moto.reset().unwrap();
    let s3_on_the_decoy = set(
        local_env(&moto.endpoint()),
        "AWS_ENDPOINT_URL_S3",
        Some(&decoy.loopback()),
    );
    let output = run(&s3_on_the_decoy, &["seed"]);
    assert!(!output.status.success());
    assert!(
        decoy.connections() > 0,
        "S3 was not sent to AWS_ENDPOINT_URL_S3"
    );
}

/// Starts `serve` on a free port with `env`, sends `GET path` with `token`, stops
/// it, and returns the answer's status line.
fn get_from_serve(env: &[(String, String)], path: &str, token: &str) -> String {
    let home = std::env::temp_dir().join(format!("local-api-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_local-api"))
        .args(["serve", "--port", "0"])
        .env_clear()
        .env("HOME", &home)
        .envs(env.iter().map(|(name, value)| (name, value)))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut address = None;
    let mut said = String::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if let Some(rest) = line.split("listening on http://").nth(1) {
            address = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    let Some(address) = address else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("serve did not start:\n{said}");
    };
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: local\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let read = stream.read_to_string(&mut answer);
    let _ = child.kill();
    let _ = child.wait();
    read.unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

/// Endpoints in the selected profile on loopback (`endpoint_url`, a `services`
/// section for every service), all on the decoy, and `ignore_configured_endpoint_urls
/// = true` overruled by the variable set to `false`: `AWS_ENDPOINT_URL` outranks
/// them as in the SDK, so `seed` runs every service it uses against moto and the
/// decoy sees nothing.
#[test]
fn profile_endpoints_on_loopback_are_outranked_by_the_variable() {
    let moto = Moto::start().unwrap();
    let decoy = Decoy::start();
    let mut text = format!(
        "[profile work]\nendpoint_url = {decoy}\nignore_configured_endpoint_urls = true\nservices = decoy\n\n[services decoy]\n",
        decoy = decoy.loopback()
    );
    for service in SERVICES {
        // As the SDK guide's table spells the key, and as the Rust SDK looks it up.
        let mut keys = vec![
            service.to_lowercase(),
            service.to_lowercase().replace('_', "-"),
        ];
        keys.dedup();
        for key in keys {
            text.push_str(&format!("{key} =\n  endpoint_url = {}\n", decoy.loopback()));
        }
    }
    let path = config_file("outranked", "config", &text);
    let mut env = local_env(&moto.endpoint());
    env.push(("AWS_CONFIG_FILE".into(), path));
    env.push(("AWS_PROFILE".into(), "work".into()));
    env.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS".into(), "false".into()));

    let output = run(&env, &["seed", "--store", "dynamodb"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("export DRAGONS_ID_TOKEN="), "{stdout}");
    assert!(
        stderr.contains("[services decoy] s3.endpoint_url") && stderr.contains("not used"),
        "{stderr}"
    );
    assert_eq!(decoy.connections(), 0, "a client went to the decoy");
}
