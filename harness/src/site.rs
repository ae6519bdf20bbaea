//! The web app served by local-api on 127.0.0.1 and a free port, over a moto of its
//! own, seeded as `local-api seed` seeds it: what the browser tests, the web
//! benchmark and the screenshots open.

use std::sync::Arc;

use dragons_contract::{data_store::DataStore, query_engine::QueryEngine};
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
    _moto: Moto,
}

impl LocalSite {
    /// moto started, seeded with `data` (JSON Lines) on the S3 store, and local-api
    /// serving it all. Panics with the reason when a part cannot start: for tests and
    /// benchmarks only.
    pub async fn start(data: Vec<u8>) -> Self {
        let moto = Moto::start().expect("moto starts (run scripts/install-tools)");
        let config = sdk_config(&moto.endpoint()).await;
        let stores = Stores {
            store: DataStore::S3,
            parameters: ParameterNames::default(),
            table_parameter: "dragon_data_table_name".into(),
        };
        let seeded = seed(&config, &stores, data).await.expect("seeding moto");
        let settings = Settings {
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
            .expect("a free port");
        let origin = format!("http://{}", listener.local_addr().expect("its address"));
        let api = Arc::new(app_state(&config, &settings).expect("the API's state"));
        let (site, oauth): (Arc<Site>, Arc<OAuth>) = web::site(
            &config,
            &WebSettings {
                web_dir: in_workspace("web"),
                origin: origin.clone(),
                client_id: seeded.client_id.clone(),
            },
        )
        .expect("the web app");
        let server = tokio::spawn(web::serve(
            listener,
            Arc::clone(&api),
            Arc::clone(&site),
            oauth,
        ));
        Self {
            origin,
            seeded,
            api,
            site,
            server,
            _moto: moto,
        }
    }
}

impl Drop for LocalSite {
    fn drop(&mut self) {
        self.server.abort();
    }
}
