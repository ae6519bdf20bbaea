//! A minimal stand-in for the Lambda Runtime API, enough to run a real Lambda
//! binary once: `GET …/invocation/next` hands out one event (later calls wait for
//! ever, as the real API does between invocations), and `POST
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

/// The request id of the one invocation.
const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
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
    /// The event not handed out yet.
    event: Mutex<Option<String>>,
    /// Where answers go.
    answers: mpsc::UnboundedSender<Answer>,
}

/// A running stand-in on 127.0.0.1 and a free port; stops on drop.
pub struct RuntimeApi {
    address: SocketAddr,
    server: JoinHandle<()>,
    answers: mpsc::UnboundedReceiver<Answer>,
}

impl RuntimeApi {
    /// Starts a stand-in that will hand out `event` (JSON) once.
    pub async fn start(event: String) -> anyhow::Result<Self> {
        let (sender, answers) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            event: Mutex::new(Some(event)),
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
            server,
            answers,
        })
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

/// `GET /2018-06-01/runtime/invocation/next`: the event once, then nothing.
async fn next(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let event = shared
        .event
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    let Some(event) = event else {
        // No more work: the real API holds the request open, and so do we.
        let never: Infallible = std::future::pending().await;
        match never {}
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
    set("lambda-runtime-aws-request-id", REQUEST_ID.to_owned());
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
