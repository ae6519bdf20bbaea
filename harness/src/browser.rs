//! Headless Chromium from Debian's packages (`chromium`, `chromium-driver`,
//! installed by `scripts/install-tools`), driven over WebDriver with `fantoccini`:
//! `chromedriver` on 127.0.0.1 and a free port, stopped on drop; sessions of a given
//! window size; and axe-core (pinned in `tools/npm`) to run in a page.

use std::{
    net::{Ipv4Addr, TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::in_workspace;

/// How long chromedriver may take to listen.
const STARTUP: Duration = Duration::from_secs(20);

/// Why the browser could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// chromedriver or Chromium is not installed.
    #[error(
        "{0} is not installed: run `scripts/install-tools` (it installs Debian's chromium and chromium-driver)"
    )]
    Missing(&'static str),
    /// axe-core is not installed.
    #[error("axe-core is not installed at {0}: run `scripts/install-tools`")]
    NoAxe(PathBuf),
    /// A process or socket error.
    #[error("chromedriver: {0}")]
    Io(#[from] std::io::Error),
    /// chromedriver did not listen in time.
    #[error("chromedriver did not listen on port {0} within {STARTUP:?}")]
    NotReady(u16),
    /// The WebDriver session could not start.
    #[error("starting a Chromium session: {0}")]
    Session(#[from] fantoccini::error::NewSessionError),
    /// A condition polled in the page did not hold in time.
    #[error("waited {patience:?} for {what}; last: {last}")]
    Timeout {
        /// What was waited for.
        what: String,
        /// How long.
        patience: Duration,
        /// The script's last value, or the error the page gave instead.
        last: String,
    },
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    })
}

/// A running chromedriver; dropping it stops it.
#[derive(Debug)]
pub struct Chromedriver {
    child: Child,
    port: u16,
    chromium: PathBuf,
}

impl Chromedriver {
    /// Starts chromedriver on a free loopback port and waits until it listens.
    pub fn start() -> Result<Self, BrowserError> {
        let driver = on_path("chromedriver").ok_or(BrowserError::Missing("chromedriver"))?;
        let chromium = on_path("chromium").ok_or(BrowserError::Missing("chromium"))?;
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
            .local_addr()?
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let driver = Self {
            child,
            port,
            chromium,
        };
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if started.elapsed() > STARTUP {
                return Err(BrowserError::NotReady(port));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// A new headless Chromium session with a `width` × `height` window. A page's
    /// dialog is left open (not dismissed), so a test can see it.
    pub async fn session(&self, width: u32, height: u32) -> Result<Client, BrowserError> {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": self.chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-extensions",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--metrics-recording-only",
                    "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                ],
            }),
        );
        capabilities.insert("unhandledPromptBehavior".into(), json!("ignore"));
        // chromedriver is on loopback over plain HTTP: no TLS.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await?;
        Ok(client)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `script` in the page every 50 ms until it returns a truthy value (not null,
/// false, 0 or ""), and returns that value. An error while the page navigates
/// ("aborted by navigation", no such execution context) counts as "not yet".
pub async fn wait_for(
    client: &Client,
    what: &str,
    script: &str,
    patience: Duration,
) -> Result<Value, BrowserError> {
    let started = Instant::now();
    loop {
        let (value, last) = match client.execute(script, Vec::new()).await {
            Ok(value) => {
                let last = value.to_string();
                (value, last)
            }
            Err(error) => (Value::Null, error.to_string()),
        };
        let truthy = match &value {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return Ok(value);
        }
        if started.elapsed() >= patience {
            return Err(BrowserError::Timeout {
                what: what.to_owned(),
                patience,
                last,
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The source of axe-core, pinned in `tools/npm/package-lock.json`.
pub fn axe_source() -> Result<String, BrowserError> {
    let path = in_workspace(".tools/npm/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).map_err(|_| BrowserError::NoAxe(path))
}

/// Runs axe-core (whose source is `axe`) on the page `client` shows: the violations
/// of the WCAG 2.x A and AA rules and axe's best practices, as axe reports them.
pub async fn axe_violations(
    client: &Client,
    axe: &str,
) -> Result<Vec<Value>, fantoccini::error::CmdError> {
    client.execute(axe, Vec::new()).await?;
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ["violations"] })
              .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")) }))))
              .catch((e) => done([{ id: "axe-error", help: String(e) }]));"#,
            Vec::new(),
        )
        .await?;
    Ok(result.as_array().cloned().unwrap_or_default())
}
