//! A tiny JWKS server on 127.0.0.1 (a free port): it answers the pool's key set
//! path with the current body, anything else with 404, and counts requests; and
//! a silent one, which accepts connections and never answers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

struct Shared {
    path: String,
    status: Mutex<u16>,
    body: Mutex<String>,
    requests: AtomicUsize,
}

/// The running server; it stops with the test's runtime.
pub(crate) struct JwksServer {
    /// `http://127.0.0.1:PORT`, the stand-in for `AWS_ENDPOINT_URL`.
    pub endpoint: String,
    shared: Arc<Shared>,
}

impl JwksServer {
    /// Serves `body` at `/<pool_id>/.well-known/jwks.json`.
    pub async fn start(pool_id: &str, body: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            path: format!("/{pool_id}/.well-known/jwks.json"),
            status: Mutex::new(200),
            body: Mutex::new(body),
            requests: AtomicUsize::new(0),
        });
        let serving = Arc::clone(&shared);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, Arc::clone(&serving)));
            }
        });
        Self { endpoint, shared }
    }

    /// Serves `body` from now on.
    pub fn set_body(&self, body: String) {
        *self.shared.body.lock().unwrap() = body;
    }

    /// Answers with `status` from now on.
    pub fn set_status(&self, status: u16) {
        *self.shared.status.lock().unwrap() = status;
    }

    /// How many requests the server has received.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

async fn answer(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut request = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => request.extend_from_slice(&buffer[..read]),
        }
    }
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let request = String::from_utf8_lossy(&request);
    let expected = format!("GET {} HTTP/1.1\r\n", shared.path);
    let (status, body) = if request.starts_with(&expected) {
        let status = *shared.status.lock().unwrap();
        (status, shared.body.lock().unwrap().clone())
    } else {
        (404, String::from("{\"message\":\"not found\"}"))
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// A listener on 127.0.0.1 (a free port) that accepts connections, holds them
/// open and never answers; it stops with the test's runtime.
pub(crate) struct SilentServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    connections: Arc<AtomicUsize>,
}

impl SilentServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        Self {
            endpoint,
            connections,
        }
    }

    /// How many connections it has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
