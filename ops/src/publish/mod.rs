//! `publish-web`: the web app onto a deployed stack. Reads the stack's outputs
//! (CloudFormation DescribeStacks), writes `config.json` from them, uploads the site's
//! files with their content types and cache headers beside the dragon's JSON Schema,
//! then invalidates the distribution's cache.

mod aws;
pub mod plan;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dragons_contract::web_config::WebConfig;
use dragons_contract::web_site;

pub use aws::{PublishClients, invalidate, stack_outputs, upload};
pub use plan::{Caching, PlanError, SiteFile, plan};

/// Why the site could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The stack's outputs could not be read.
    #[error("reading the outputs of stack `{stack}` failed")]
    Describe {
        /// The stack name.
        stack: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The stack has no output of that name (not deployed with `WebApp=true`?).
    #[error("stack `{stack}` has no output `{output}`: is it deployed with WebApp=true?")]
    MissingOutput {
        /// The stack name.
        stack: String,
        /// The output.
        output: &'static str,
    },
    /// The site's directory could not be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file name is not UTF-8.
    #[error("{} has a name that is not UTF-8", .0.display())]
    NotUtf8(PathBuf),
    /// The files cannot be published as they are.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// An upload failed (the files before it are in place; publishing again is safe).
    #[error("uploading s3://{bucket}/{key} failed")]
    Upload {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The invalidation could not be created.
    #[error("invalidating distribution {distribution} failed")]
    Invalidate {
        /// The distribution id.
        distribution: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Where the site goes and what its `config.json` says, from the stack's outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteTarget {
    /// The web app's configuration.
    pub config: WebConfig,
    /// The site bucket.
    pub bucket: String,
    /// The distribution to invalidate.
    pub distribution_id: String,
}

impl SiteTarget {
    /// Reads the target from the outputs of `stack`.
    pub fn from_outputs(
        stack: &str,
        outputs: &BTreeMap<String, String>,
    ) -> Result<Self, PublishError> {
        let output = |name: &'static str| {
            outputs
                .get(name)
                .filter(|value| !value.is_empty())
                .cloned()
                .ok_or_else(|| PublishError::MissingOutput {
                    stack: stack.to_owned(),
                    output: name,
                })
        };
        Ok(Self {
            config: WebConfig {
                api_url: output(web_site::OUTPUT_SITE_API_URL)?,
                auth_url: output(web_site::OUTPUT_AUTH_URL)?,
                client_id: output(web_site::OUTPUT_CLIENT_ID)?,
                redirect_uri: output(web_site::OUTPUT_SITE_URL)?,
            },
            bucket: output(web_site::OUTPUT_SITE_BUCKET)?,
            distribution_id: output(web_site::OUTPUT_DISTRIBUTION_ID)?,
        })
    }
}

/// Every file under `dir` as (key, bytes), keys `/`-separated; names starting with `.`
/// (and what is under them) are left out.
pub fn read_site(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, PublishError> {
    let mut files = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        let read = |source| PublishError::Read {
            path: path.clone(),
            source,
        };
        let mut entries: Vec<_> = std::fs::read_dir(&path)
            .map_err(read)?
            .collect::<Result<_, _>>()
            .map_err(read)?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let entry_path = entry.path();
            let name = entry
                .file_name()
                .into_string()
                .map_err(|_| PublishError::NotUtf8(entry_path.clone()))?;
            if name.starts_with('.') {
                continue;
            }
            let key = format!("{prefix}{name}");
            let metadata = std::fs::metadata(&entry_path).map_err(|source| PublishError::Read {
                path: entry_path.clone(),
                source,
            })?;
            if metadata.is_dir() {
                pending.push((entry_path, format!("{key}/")));
            } else {
                let body = std::fs::read(&entry_path).map_err(|source| PublishError::Read {
                    path: entry_path.clone(),
                    source,
                })?;
                files.push((key, body));
            }
        }
    }
    Ok(files)
}

/// What a publish did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Where it went.
    pub target: SiteTarget,
    /// The uploaded files, in upload order.
    pub files: Vec<(String, Caching)>,
    /// The invalidation's id.
    pub invalidation_id: String,
}

/// Publishes the site in `dir` to the stack `stack`: everything is read and checked
/// before the first upload, so bad input changes nothing.
pub async fn publish(
    clients: &PublishClients,
    stack: &str,
    dir: &Path,
) -> Result<Published, PublishError> {
    let outputs = stack_outputs(&clients.cloudformation, stack).await?;
    let target = SiteTarget::from_outputs(stack, &outputs)?;
    let files = plan(
        read_site(dir)?,
        &target.config,
        &dragons_contract::schema::dragon_schema(),
    )?;
    upload(&clients.s3, &target.bucket, &files).await?;
    let invalidation_id = invalidate(&clients.cloudfront, &target.distribution_id).await?;
    Ok(Published {
        files: files.iter().map(|f| (f.key.clone(), f.caching)).collect(),
        target,
        invalidation_id,
    })
}
