//! The web app served by local-api on 127.0.0.1 and a free port, over a moto of its
//! own, seeded as `local-api seed` seeds it: what the browser tests, the web
//! benchmark and the screenshots open.

use std::sync::Arc;

use dragons_contract::{data_store::DataStore, names::STAGE, query_engine::QueryEngine};
use handlers::aws::ParameterNames;
use local_api::{
    app::{Settings, app_state},
    oauth::OAuth,
    routes::AppState,
    seed::{Seeded, Stores, seed},
    web::{self, Site, WebSettings},
};

use crate::{
    fixtures::{REGION, sdk_config},
    in_workspace,
    moto::Moto,
};

/// A local-api serving the API, the web app and its sign-in.
pub struct LocalSite {
    /// Its origin, `http://127.0.0.1:PORT`.
    pub origin: String,
    /// The seeded pool, client and user.
    pub seeded: Seeded,
    /// The API's state (its invocation count, its executions).
    pub api: Arc<AppState>,
    /// The site's state (its CSP violation count).
    pub site: Arc<Site>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    moto: Moto,
}

impl LocalSite {
    /// moto started, seeded with `data` (JSON Lines) on the S3 store, and local-api
    /// serving it all; the error names the part that could not start.
    pub async fn start(data: Vec<u8>) -> Result<Self, SiteError> {
        let moto =
            Moto::start().map_err(|e| SiteError::new("moto (run scripts/install-tools)", e))?;
        let config = sdk_config(&moto.endpoint()).await;
        let stores = Stores {
            store: DataStore::S3,
            parameters: ParameterNames::default(),
            table_parameter: "dragon_data_table_name".into(),
        };
        let seeded = seed(&config, &stores, data)
            .await
            .map_err(|e| SiteError::new("seeding moto", e))?;
        let settings = Settings {
            stage: STAGE.to_owned(),
            endpoint: moto.endpoint(),
            region: REGION.to_owned(),
            user_pool_id: seeded.user_pool_id.clone(),
            client_id: seeded.client_id.clone(),
            topic_arn: seeded.topic_arn.clone(),
            store: DataStore::S3,
            parameters: ParameterNames::default(),
            table_parameter: "dragon_data_table_name".into(),
            engine: QueryEngine::Scan,
            location_ttl: std::time::Duration::from_secs(5),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| SiteError::new("a free port", e))?;
        let address = listener
            .local_addr()
            .map_err(|e| SiteError::new("its address", e))?;
        let origin = format!("http://{address}");
        let api = Arc::new(
            app_state(&config, &settings).map_err(|e| SiteError::new("the API's state", e))?,
        );
        let (site, oauth): (Arc<Site>, Arc<OAuth>) = web::site(
            &config,
            &WebSettings {
                web_dir: in_workspace("web"),
                origin: origin.clone(),
                client_id: seeded.client_id.clone(),
            },
            &api.stage,
        )
        .map_err(|e| SiteError::new("the web app", e))?;
        let server = tokio::spawn(web::serve(
            listener,
            Arc::clone(&api),
            Arc::clone(&site),
            oauth,
        ));
        Ok(Self {
            origin,
            seeded,
            api,
            site,
            server,
            moto,
        })
    }
}

impl LocalSite {
    /// The endpoint of its moto (`http://127.0.0.1:PORT`), where its pool and data are.
    pub fn endpoint(&self) -> String {
        self.moto.endpoint()
    }
}

/// A part of the local site could not start.
#[derive(Debug, thiserror::Error)]
#[error("could not start {part}: {source}")]
pub struct SiteError {
    part: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl SiteError {
    fn new(
        part: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            part,
            source: source.into(),
        }
    }
}

impl Drop for LocalSite {
    fn drop(&mut self) {
        self.server.abort();
    }
}
