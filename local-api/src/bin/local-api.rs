//! `local-api`: the dragons API on a laptop, against a local AWS endpoint (moto).
//!
//! `seed` creates the stack's resources and a user and prints `export` lines;
//! `token` prints a fresh ID token; `serve` answers the API, the web app and its
//! sign-in on 127.0.0.1;
//! `inbox` prints the notifications the workflow published.

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context;
use clap::{Parser, Subcommand};
use dragons_contract::{
    data_store::DataStore,
    names::{DEFAULT_DATA_KEY, ENV_DATA_STORE, STAGE, STAGE_PATTERN_HELP, is_stage_name},
    query_engine::QueryEngine,
};
use handlers::aws::{
    ParameterNames, cache_ttl_from_env, dynamo::table_parameter_from_env, engine_from_env_or,
};
use local_api::{
    app::{Settings, app_state},
    local_aws::{COGNITO, LocalAws},
    seed::{Stores, id_token, inbox, seed},
    web::{self, WebSettings},
};

#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the user pool, client, bucket, data, parameters, topic and a user on
    /// the local endpoint; print `export` lines for `serve` and `token`.
    Seed {
        /// The data to load.
        #[arg(long, default_value = "data/dragons.jsonl")]
        data: std::path::PathBuf,
        /// The store `serve` will read: `s3` (the data object) or `dynamodb` (a
        /// table, loaded too).
        #[arg(long, env = ENV_DATA_STORE, default_value_t)]
        store: DataStore,
    },
    /// Print (and remove) the notifications waiting in the seeded inbox, one JSON
    /// object per line.
    Inbox,
    /// Print a fresh ID token for the seeded user.
    Token {
        /// The app client id.
        #[arg(long, env = "DRAGONS_CLIENT_ID")]
        client_id: String,
        /// The user's name.
        #[arg(long, env = "DRAGONS_USERNAME")]
        username: String,
        /// The user's password.
        #[arg(long, env = "DRAGONS_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Serve the API under /{stage}/ (GET/POST /{stage}/dragons, the report status),
    /// the web app at / and its sign-in stand-in on 127.0.0.1, in the deployed layout.
    Serve {
        /// The port to listen on.
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The stage the API is served under (the template's `StageName` default).
        #[arg(long, default_value = STAGE, value_parser = stage_name)]
        stage: String,
        /// The web app's directory.
        #[arg(long, default_value = "web")]
        web_dir: std::path::PathBuf,
        /// The user pool whose ID tokens are accepted.
        #[arg(long, env = "DRAGONS_USER_POOL_ID")]
        user_pool_id: String,
        /// The app client the tokens must be issued to.
        #[arg(long, env = "DRAGONS_CLIENT_ID")]
        client_id: String,
        /// The topic the workflow publishes to.
        #[arg(long, env = "DRAGONS_TOPIC_ARN")]
        topic_arn: String,
        /// The store to read and write: `s3` or `dynamodb` (as seeded).
        #[arg(long, env = ENV_DATA_STORE, default_value_t)]
        store: DataStore,
    },
}

/// A `--stage` the template would accept as `StageName`.
fn stage_name(value: &str) -> Result<String, String> {
    if is_stage_name(value) {
        Ok(value.to_owned())
    } else {
        Err(format!("a stage name is 1 to 64 of {STAGE_PATTERN_HELP}"))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // Checked before any client exists: a refusal happens before any network call.
    let local = LocalAws::from_env().await?;
    for (variable, endpoint) in local.service_endpoints() {
        tracing::info!(%variable, %endpoint, "per-service endpoint");
    }
    for setting in local.outranked_settings() {
        tracing::warn!(%setting, "not used: AWS_ENDPOINT_URL outranks the profile's endpoints, as in the SDK");
    }
    let config = local.sdk_config();
    let endpoint = local.endpoint().to_owned();
    // The pool's key set is served where Cognito is.
    let cognito_endpoint = local.endpoint_for(COGNITO).to_owned();
    let region = local.region().to_owned();
    match cli.command {
        Command::Seed { data, store } => {
            let data =
                std::fs::read(&data).with_context(|| format!("reading {}", data.display()))?;
            let stores = Stores {
                store,
                parameters: ParameterNames::from_env(),
                table_parameter: table_parameter_from_env(),
            };
            let seeded = seed(&config, &stores, data).await?;
            let token = id_token(
                &config,
                &seeded.client_id,
                &seeded.username,
                &seeded.password,
            )
            .await?;
            println!("export DRAGONS_USER_POOL_ID={}", seeded.user_pool_id);
            println!("export DRAGONS_CLIENT_ID={}", seeded.client_id);
            println!("export DRAGONS_TOPIC_ARN={}", seeded.topic_arn);
            println!("export DRAGONS_USERNAME={}", seeded.username);
            println!("export DRAGONS_PASSWORD='{}'", seeded.password);
            println!("export DRAGONS_ID_TOKEN={token}");
            println!("export {ENV_DATA_STORE}={store}");
            eprintln!("seeded {DEFAULT_DATA_KEY} and a user on {endpoint}");
        }
        Command::Inbox => {
            for notification in inbox(&config).await? {
                println!("{}", serde_json::to_string(&notification)?);
            }
        }
        Command::Token {
            client_id,
            username,
            password,
        } => {
            println!(
                "{}",
                id_token(&config, &client_id, &username, &password).await?
            );
        }
        Command::Serve {
            port,
            stage,
            web_dir,
            user_pool_id,
            client_id,
            topic_arn,
            store,
        } => {
            let settings = Settings {
                stage,
                endpoint: cognito_endpoint,
                region,
                user_pool_id,
                client_id,
                topic_arn,
                store,
                parameters: ParameterNames::from_env(),
                table_parameter: table_parameter_from_env(),
                // moto's S3 Select truncates values at quotes and doubles backslash
                // escapes, so locally the default is the scan engine.
                engine: engine_from_env_or(QueryEngine::Scan)?,
                location_ttl: cache_ttl_from_env()?,
            };
            let address = SocketAddr::from(([127, 0, 0, 1], port));
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("binding {address}"))?;
            let origin = format!("http://{}", listener.local_addr()?);
            let web = WebSettings {
                web_dir,
                origin: origin.clone(),
                client_id: settings.client_id.clone(),
            };
            let state = Arc::new(app_state(&config, &settings)?);
            let (site, oauth) = web::site(&config, &web, &settings.stage)?;
            eprintln!(
                "local-api listening on {origin} (the web app: {origin}/, the API: {origin}/{}/)",
                settings.stage
            );
            web::serve(listener, state, site, oauth).await?;
        }
    }
    Ok(())
}
