//! `smoke`: the deployed API end to end, as a client uses it, from the stack's outputs
//! (`ApiUrl`, `UserPoolId`, `UserPoolClientId`). A temporary user is created and
//! signed in (and removed afterwards, whatever happened); `GET /dragons?limit=1`
//! answers a JSON array; a report is posted and its `Location` followed until it ends.
//! The report changes no data when it can help it: it names a dragon the page showed,
//! which the workflow rejects as taken (validation, the store's name check and the
//! notification all run); only on an empty store does it add a dragon of a unique
//! `smoke-…` name. The run passes when the report ends as expected.

use std::time::{Duration, Instant};

use dragons_contract::report_status::{Accepted, ReportState, ReportStatus};
use reqwest::{StatusCode, Url, header};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    clients::OpsClients,
    stack::{Stack, StackError, outputs},
    token, users,
};

/// How long a smoke run waits for its report to end, and how often it looks.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    /// The longest wait for the report's end.
    pub timeout: Duration,
    /// Between two looks at its status.
    pub interval: Duration,
}

/// Why a smoke run could not run, or failed.
#[derive(Debug, thiserror::Error)]
pub enum SmokeError {
    /// The stack lacks an output.
    #[error(transparent)]
    Stack(#[from] StackError),
    /// The temporary user could not be made.
    #[error(transparent)]
    User(#[from] users::UserError),
    /// It could not sign in.
    #[error(transparent)]
    Token(#[from] token::TokenError),
    /// A step failed.
    #[error("{step}: {message}")]
    Step {
        /// Which.
        step: &'static str,
        /// What went wrong.
        message: String,
    },
}

fn step(step: &'static str) -> impl Fn(String) -> SmokeError {
    move |message| SmokeError::Step { step, message }
}

/// What a passing run saw.
#[derive(Debug, Clone, Serialize)]
pub struct SmokeReport {
    /// The API's URL.
    pub api_url: String,
    /// Dragons on the first page (at most one).
    pub listed: usize,
    /// The report's id.
    pub report_id: String,
    /// How it ended.
    pub outcome: ReportState,
    /// Why (a rejection's or failure's reason).
    pub reason: Option<String>,
    /// Whether the report added a dragon (the store was empty).
    pub added_dragon: Option<String>,
    /// How long the run took, in milliseconds.
    pub millis: u128,
}

/// A name no one else uses: the run's time and process, hashed.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{nanos}/{}", std::process::id()));
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// Runs the smoke test against `stack`, reporting progress to `progress`.
pub async fn run(
    clients: &OpsClients,
    stack: &Stack,
    patience: Patience,
    progress: &mut dyn FnMut(&str),
) -> Result<SmokeReport, SmokeError> {
    let api_url = stack.output(outputs::API_URL)?;
    let pool = stack.output(outputs::USER_POOL_ID)?;
    let client_id = stack.output(outputs::USER_POOL_CLIENT_ID)?;
    let username = format!("{}@example.com", unique("dragons-smoke"));
    // Upper and lower case, digits and a symbol: any password policy's classes.
    let password = format!("Sm0ke!{}aA1", unique("p"));
    progress("creating a temporary user");
    users::add(&clients.cognito, pool, &username, &password).await?;
    let outcome = signed_in(
        clients, api_url, client_id, &username, &password, patience, progress,
    )
    .await;
    progress("removing the temporary user");
    let removed = users::remove(&clients.cognito, pool, &username).await;
    let report = outcome?;
    removed?;
    Ok(report)
}

async fn signed_in(
    clients: &OpsClients,
    api_url: &str,
    client_id: &str,
    username: &str,
    password: &str,
    patience: Patience,
    progress: &mut dyn FnMut(&str),
) -> Result<SmokeReport, SmokeError> {
    let started = Instant::now();
    progress("signing in");
    let token = token::id_token(&clients.cognito, client_id, username, password).await?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| step("HTTP client")(e.to_string()))?;
    let base = Url::parse(api_url).map_err(|e| step("ApiUrl")(format!("{api_url}: {e}")))?;

    progress("GET /dragons");
    let mut page_url = base.clone();
    page_url.query_pairs_mut().append_pair("limit", "1");
    let (status, body) = send(http.get(page_url).header(header::AUTHORIZATION, &token))
        .await
        .map_err(step("GET /dragons"))?;
    if status != StatusCode::OK {
        return Err(step("GET /dragons")(format!("{status}: {body}")));
    }
    let page: Vec<Value> = serde_json::from_str(&body)
        .map_err(|e| step("GET /dragons")(format!("not a JSON array ({e}): {body}")))?;

    let (dragon, expected, added_dragon) = match page.first() {
        Some(existing) => (existing.clone(), ReportState::Rejected, None),
        None => {
            let name = unique("smoke");
            (
                json!({
                    "dragon_name_str": name,
                    "family_str": "smoke",
                    "description_str": "Reported by `dragons smoke` on an empty store.",
                    "location_city_str": "Smoke Test",
                    "location_country_str": "nowhere",
                    "location_state_str": "",
                    "location_neighborhood_str": "",
                }),
                ReportState::Added,
                Some(name),
            )
        }
    };
    progress("POST /dragons");
    let posted = http
        .post(base.clone())
        .header(header::AUTHORIZATION, &token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(dragon.to_string())
        .send()
        .await
        .map_err(|e| step("POST /dragons")(e.to_string()))?;
    let status = posted.status();
    let location = posted
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = posted
        .text()
        .await
        .map_err(|e| step("POST /dragons")(e.to_string()))?;
    if status != StatusCode::ACCEPTED {
        return Err(step("POST /dragons")(format!("{status}: {body}")));
    }
    let accepted: Accepted =
        serde_json::from_str(&body).map_err(|e| step("POST /dragons")(format!("{e}: {body}")))?;
    let location =
        location.ok_or_else(|| step("POST /dragons")("202 without a Location".into()))?;
    let status_url = base
        .join(&location)
        .map_err(|e| step("Location")(format!("{location}: {e}")))?;

    progress(&format!("following report {}", accepted.report_id));
    let deadline = Instant::now() + patience.timeout;
    let ended = loop {
        let (status, body) = send(
            http.get(status_url.clone())
                .header(header::AUTHORIZATION, &token),
        )
        .await
        .map_err(step("GET the report's status"))?;
        if status != StatusCode::OK {
            return Err(step("GET the report's status")(format!("{status}: {body}")));
        }
        let report: ReportStatus = serde_json::from_str(&body)
            .map_err(|e| step("GET the report's status")(format!("{e}: {body}")))?;
        if report.status.is_terminal() {
            break report;
        }
        if Instant::now() >= deadline {
            return Err(step("the report")(format!(
                "still RUNNING after {} s",
                patience.timeout.as_secs()
            )));
        }
        tokio::time::sleep(patience.interval).await;
    };
    if ended.status != expected {
        return Err(step("the report")(format!(
            "ended {:?} ({}), expected {expected:?}",
            ended.status,
            ended.reason.as_deref().unwrap_or("no reason")
        )));
    }
    Ok(SmokeReport {
        api_url: api_url.to_owned(),
        listed: page.len(),
        report_id: accepted.report_id,
        outcome: ended.status,
        reason: ended.reason,
        added_dragon,
        millis: started.elapsed().as_millis(),
    })
}

async fn send(request: reqwest::RequestBuilder) -> Result<(StatusCode, String), String> {
    let answer = request.send().await.map_err(|e| e.to_string())?;
    let status = answer.status();
    let body = answer.text().await.map_err(|e| e.to_string())?;
    Ok((status, body))
}
