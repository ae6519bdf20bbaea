//! The web app's files (`web/`), read once at start: each served at its path below
//! the site's root with its content type; only file types the app uses are taken.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use bytes::Bytes;

/// One file of the app.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: Bytes,
}

/// Why the app's files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AssetsError {
    /// A directory or file could not be read.
    #[error("reading the web app at {path}: {source}")]
    Read {
        /// What was read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The directory has no `index.html`: not the web app.
    #[error("{0} has no index.html: pass the web app's directory (web/ in the repository)")]
    NoIndex(PathBuf),
}

/// The content type of a file the app may hold, by its extension.
pub fn content_type(path: &Path) -> Option<&'static str> {
    Some(match path.extension()?.to_str()? {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => return None,
    })
}

/// Every file of the app in `dir` by its URL path (`/index.html`, `/js/app.js`);
/// hidden files and other types are left out.
pub fn read_assets(dir: &Path) -> Result<BTreeMap<String, Asset>, AssetsError> {
    let mut assets = BTreeMap::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((directory, prefix)) = pending.pop() {
        let read = |source| AssetsError::Read {
            path: directory.clone(),
            source,
        };
        for entry in std::fs::read_dir(&directory).map_err(read)? {
            let entry = entry.map_err(read)?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let url = format!("{prefix}/{name}");
            if entry.file_type().map_err(read)?.is_dir() {
                pending.push((path, url));
            } else if let Some(content_type) = content_type(&path) {
                let body = std::fs::read(&path).map_err(|source| AssetsError::Read {
                    path: path.clone(),
                    source,
                })?;
                assets.insert(
                    url,
                    Asset {
                        content_type,
                        body: Bytes::from(body),
                    },
                );
            }
        }
    }
    if !assets.contains_key("/index.html") {
        return Err(AssetsError::NoIndex(dir.to_path_buf()));
    }
    Ok(assets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_app_is_read_with_its_types() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
        let assets = read_assets(&dir).unwrap();
        assert_eq!(
            assets["/index.html"].content_type,
            "text/html; charset=utf-8"
        );
        assert_eq!(
            assets["/js/app.js"].content_type,
            "text/javascript; charset=utf-8"
        );
        assert_eq!(assets["/app.css"].content_type, "text/css; charset=utf-8");
        assert!(assets.keys().all(|path| !path.contains("/.")));
    }

    #[test]
    fn a_directory_without_index_is_refused() {
        let error =
            read_assets(Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path()).unwrap_err();
        assert!(matches!(error, AssetsError::NoIndex(_)), "{error}");
    }

    #[test]
    fn unknown_types_have_none() {
        assert_eq!(content_type(Path::new("a.exe")), None);
        assert_eq!(content_type(Path::new("Makefile")), None);
    }
}
