//! moto in server mode: started on 127.0.0.1 and a free port (plain HTTP, or HTTPS
//! with a given certificate), stopped on drop.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use crate::tools::{Tool, ToolError};

/// How long moto may take to answer after it starts (it needs ~0.3 s here).
const STARTUP: Duration = Duration::from_secs(20);

/// Why moto could not be started.
#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    /// The tool is missing or could not be spawned.
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// No free port, or a socket error.
    #[error("moto: {0}")]
    Io(#[from] std::io::Error),
    /// It did not answer in time.
    #[error("moto did not answer on {0} within {STARTUP:?}")]
    NotReady(SocketAddr),
}

/// A running `moto_server`; dropping it stops the server.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    address: SocketAddr,
    /// Whether it serves HTTPS (then only the SDK, not [`Moto::reset`] and the
    /// other plain-HTTP helpers, can talk to it).
    tls: bool,
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// Sends one HTTP/1.0 request and returns the status line and body.
fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(String, String)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.lines().next().unwrap_or_default().to_owned();
    Ok((status, body.to_owned()))
}

impl Moto {
    /// Starts moto on 127.0.0.1 and a free port and waits until it answers.
    pub fn start() -> Result<Self, MotoError> {
        let moto = Self::spawn(&[], false)?;
        let deadline = Instant::now() + STARTUP;
        while Instant::now() < deadline {
            if moto.reset().is_ok() {
                return Ok(moto);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(MotoError::NotReady(moto.address))
    }

    /// Starts moto serving HTTPS with the PEM certificate `cert` (which must name
    /// `localhost`) and its key `key`, and waits until it accepts connections. Its
    /// endpoint is `https://localhost:PORT`; clients must trust the certificate's CA.
    pub fn start_tls(cert: &Path, key: &Path) -> Result<Self, MotoError> {
        let (cert, key) = (cert.as_os_str(), key.as_os_str());
        let moto = Self::spawn(&["-c".as_ref(), cert, "-k".as_ref(), key], true)?;
        let deadline = Instant::now() + STARTUP;
        while Instant::now() < deadline {
            // The socket listens once moto has loaded; the TLS handshake is the SDK's.
            if TcpStream::connect_timeout(&moto.address, Duration::from_secs(1)).is_ok() {
                return Ok(moto);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(MotoError::NotReady(moto.address))
    }

    fn spawn(extra: &[&std::ffi::OsStr], tls: bool) -> Result<Self, MotoError> {
        let path = Tool::MotoServer.path();
        if !path.is_file() {
            return Err(ToolError::Missing {
                tool: Tool::MotoServer.name(),
                path,
            }
            .into());
        }
        let port = free_port()?;
        let child = Command::new(&path)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| ToolError::Spawn {
                tool: Tool::MotoServer.name(),
                source,
            })?;
        Ok(Self {
            child,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            tls,
        })
    }

    /// A server shared by the tests running at the same time: the first caller starts
    /// it, and it stops when the last holder drops it. Tests sharing it keep apart by
    /// using names of their own (see `fixtures::unique_name`), never by resetting.
    pub fn shared() -> Result<Arc<Self>, MotoError> {
        static SHARED: Mutex<Weak<Moto>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(moto) = shared.upgrade() {
            return Ok(moto);
        }
        let moto = Arc::new(Self::start()?);
        *shared = Arc::downgrade(&moto);
        Ok(moto)
    }

    /// The endpoint for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.address.port())
        } else {
            format!("http://{}", self.address)
        }
    }

    /// The address for the plain-HTTP helpers; an error for a server on HTTPS.
    fn plain(&self) -> std::io::Result<SocketAddr> {
        if self.tls {
            Err(std::io::Error::other(
                "this moto serves HTTPS: use an SDK client",
            ))
        } else {
            Ok(self.address)
        }
    }

    /// Clears every service's state (`POST /moto-api/reset`).
    pub fn reset(&self) -> std::io::Result<()> {
        let (status, _) = request(self.plain()?, "POST", "/moto-api/reset", "")?;
        if status.contains(" 200 ") {
            Ok(())
        } else {
            Err(std::io::Error::other(format!("reset answered {status}")))
        }
    }

    /// `GET path` on the server: status line and body.
    pub fn get(&self, path: &str) -> std::io::Result<(String, String)> {
        request(self.plain()?, "GET", path, "")
    }

    /// `POST path` with a JSON body (moto's own API, e.g. `/moto-api/config`): the
    /// status line and body.
    pub fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> std::io::Result<(String, String)> {
        request(self.plain()?, "POST", path, &body.to_string())
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Already exited or not killable: nothing more to do while dropping.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
