//! A minimal stand-in for the Lambda Runtime API, enough to run a real Lambda
//! binary: `GET …/invocation/next` hands out the events sent to it one by one
//! (waiting, as the real API does, while there is none), and `POST
//! …/invocation/{id}/response`, `…/{id}/error` and `…/init/error` record what the
//! function answered and when.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Path, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use tokio::{net::TcpListener, sync::mpsc, task::JoinHandle};

/// The request ids of the invocations: this prefix and a counter.
const REQUEST_ID_PREFIX: &str = "8476a536-e9f4-11e8-9739-";
/// The ARN the invocation claims to be for.
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:list-dragons";
/// The X-Ray trace header of the invocation.
const TRACE_ID: &str = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
/// The invocation's deadline, from when it is handed out.
const DEADLINE: Duration = Duration::from_secs(300);

/// What the function sent back, and when it arrived.
#[derive(Debug, Clone)]
pub struct Answer {
    /// When the stand-in received it.
    pub at: Instant,
    /// Whether it was a response (rather than an invocation or init error).
    pub ok: bool,
    /// The body as sent.
    pub body: String,
}

/// Shared by the routes.
struct Shared {
    /// The events not handed out yet.
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<String>>,
    /// How many have been handed out.
    handed_out: Mutex<u64>,
    /// Where answers go.
    answers: mpsc::UnboundedSender<Answer>,
}

/// A running stand-in on 127.0.0.1 and a free port; stops on drop.
pub struct RuntimeApi {
    address: SocketAddr,
    events: mpsc::UnboundedSender<String>,
    server: JoinHandle<()>,
    answers: mpsc::UnboundedReceiver<Answer>,
}

impl RuntimeApi {
    /// Starts a stand-in with no event yet (see [`Self::send`]).
    pub async fn start() -> anyhow::Result<Self> {
        let (sender, answers) = mpsc::unbounded_channel();
        let (events, waiting) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            events: tokio::sync::Mutex::new(waiting),
            handed_out: Mutex::new(0),
            answers: sender,
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            // Lambda itself refuses answers over 6 MB; here the benchmark reports sizes.
            .layer(DefaultBodyLimit::disable())
            .with_state(shared);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("runtime API stand-in stopped: {error}");
            }
        });
        Ok(Self {
            address,
            events,
            server,
            answers,
        })
    }

    /// Queues `event` (JSON) for the function's next `invocation/next`.
    pub fn send(&self, event: String) -> anyhow::Result<()> {
        self.events
            .send(event)
            .ok()
            .context("the runtime API stand-in stopped")
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// The function's answer to the event, once it arrives.
    pub async fn answer(&mut self) -> anyhow::Result<Answer> {
        self.answers
            .recv()
            .await
            .context("the runtime API stand-in stopped before an answer came")
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `GET /2018-06-01/runtime/invocation/next`: the next event, once there is one.
async fn next(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let event = shared.events.lock().await.recv().await;
    let Some(event) = event else {
        // No more work ever: the real API holds the request open, and so do we.
        let never: Infallible = std::future::pending().await;
        match never {}
    };
    let id = {
        let mut handed_out = shared
            .handed_out
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *handed_out += 1;
        format!("{REQUEST_ID_PREFIX}{:012x}", *handed_out)
    };
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_add(DEADLINE)
        .as_millis();
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", id);
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        FUNCTION_ARN.to_owned(),
    );
    set("lambda-runtime-trace-id", TRACE_ID.to_owned());
    set("content-type", "application/json".to_owned());
    (StatusCode::OK, headers, event)
}

/// Records an answer and acknowledges it as the real API does (202).
fn record(shared: &Shared, ok: bool, body: String) -> StatusCode {
    // The receiver may be gone once the benchmark has what it needs.
    let _ = shared.answers.send(Answer {
        at: Instant::now(),
        ok,
        body,
    });
    StatusCode::ACCEPTED
}

/// `POST /2018-06-01/runtime/invocation/{id}/response`.
async fn response(
    State(shared): State<Arc<Shared>>,
    Path(_id): Path<String>,
    body: String,
) -> StatusCode {
    record(&shared, true, body)
}

/// `POST /2018-06-01/runtime/invocation/{id}/error`.
async fn error(
    State(shared): State<Arc<Shared>>,
    Path(_id): Path<String>,
    body: String,
) -> StatusCode {
    record(&shared, false, body)
}

/// `POST /2018-06-01/runtime/init/error`.
async fn init_error(State(shared): State<Arc<Shared>>, body: String) -> StatusCode {
    record(&shared, false, body)
}
