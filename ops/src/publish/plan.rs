//! What a publish uploads, decided without I/O: each file's key, content type and
//! cache policy, the generated `config.json` and `dragon.schema.json`, and the order.

use dragons_contract::web_config::{WEB_CONFIG_FILE, WebConfig};
use dragons_contract::web_site::DRAGON_SCHEMA_FILE;
use sha2::{Digest, Sha256};

/// The page the distribution answers `/` with; it must be there.
pub const INDEX: &str = "index.html";

/// How long browsers and CloudFront may keep a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Revalidated on every use: the HTML and the generated files, which name the
    /// current assets and the deployed API.
    Revalidate,
    /// A fingerprinted asset (its name carries its content's hash): a new content is
    /// a new name, so it never goes stale.
    Immutable,
    /// Anything else: a few minutes.
    Short,
}

impl Caching {
    /// The `Cache-Control` value.
    pub fn header(self) -> &'static str {
        match self {
            Self::Revalidate => "no-cache",
            Self::Immutable => "public, max-age=31536000, immutable",
            Self::Short => "public, max-age=300",
        }
    }
}

/// One object to put in the site bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    /// The object key (the URL path without its leading `/`).
    pub key: String,
    /// The bytes.
    pub body: Vec<u8>,
    /// `Content-Type`.
    pub content_type: String,
    /// How long it may be kept.
    pub caching: Caching,
}

/// Why the files cannot be published.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    /// The site has no `index.html` at its top.
    #[error("the site has no {INDEX} at its top: nothing would answer `/`")]
    NoIndex,
    /// A file name that is not a clean relative path.
    #[error("`{0}` is not a relative path of plain segments")]
    BadKey(String),
}

/// The `Content-Type` for a key, from its extension; text types say UTF-8.
pub fn content_type(key: &str) -> String {
    let extension = key
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let essence = match extension.as_deref() {
        // RFC 9239: JavaScript is text/javascript (module scripts need a JS type).
        Some("js" | "mjs") => "text/javascript".to_owned(),
        Some("map") => "application/json".to_owned(),
        Some("webmanifest") => "application/manifest+json".to_owned(),
        _ => mime_guess::from_path(key)
            .first_raw()
            .unwrap_or("application/octet-stream")
            .to_owned(),
    };
    let textual = essence.starts_with("text/")
        || essence.ends_with("json")
        || essence.ends_with("+xml")
        || essence == "application/xml";
    if textual {
        format!("{essence}; charset=utf-8")
    } else {
        essence
    }
}

/// Whether `key`'s file name carries a hash of `body`: a `.`- or `-`-separated part
/// of at least 8 hex digits that begins its SHA-256 (`app.3f2a9c1b.js`). A part that
/// only looks like a hash does not count: the file would be cached for a year under
/// a name that does not change with it.
pub fn is_fingerprinted(key: &str, body: &[u8]) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    let digest: String = Sha256::digest(body)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    name.split(['.', '-']).any(|part| {
        part.len() >= 8
            && part.len() <= digest.len()
            && part.chars().all(|c| c.is_ascii_hexdigit())
            && digest.starts_with(&part.to_ascii_lowercase())
    })
}

fn caching(key: &str, body: &[u8]) -> Caching {
    let name = key.rsplit('/').next().unwrap_or(key);
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    if matches!(extension.as_deref(), Some("html" | "htm")) {
        Caching::Revalidate
    } else if is_fingerprinted(key, body) {
        Caching::Immutable
    } else {
        Caching::Short
    }
}

fn checked_key(key: &str) -> Result<(), PlanError> {
    let clean = !key.is_empty()
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && !key.contains('\\');
    if clean {
        Ok(())
    } else {
        Err(PlanError::BadKey(key.to_owned()))
    }
}

/// The files to upload, in upload order: the site's `files` (key and bytes) with
/// their types and caching, plus the generated `config.json` and the dragon's JSON
/// Schema (which replace files of those names in the site). Assets go first, the
/// generated files next and the HTML last, so a page never names a file that is not
/// there yet.
pub fn plan(
    files: Vec<(String, Vec<u8>)>,
    config: &WebConfig,
    dragon_schema: &serde_json::Value,
) -> Result<Vec<SiteFile>, PlanError> {
    let generated = [WEB_CONFIG_FILE, DRAGON_SCHEMA_FILE];
    let mut planned = Vec::new();
    let mut has_index = false;
    for (key, body) in files {
        checked_key(&key)?;
        has_index |= key == INDEX;
        if generated.contains(&key.as_str()) {
            tracing::warn!(key, "the site's own file is replaced by the generated one");
            continue;
        }
        planned.push(SiteFile {
            content_type: content_type(&key),
            caching: caching(&key, &body),
            key,
            body,
        });
    }
    if !has_index {
        return Err(PlanError::NoIndex);
    }
    for (key, value) in [
        (WEB_CONFIG_FILE, serde_json::to_value(config)),
        (DRAGON_SCHEMA_FILE, Ok(dragon_schema.clone())),
    ] {
        let mut body = value
            .and_then(|value| serde_json::to_vec_pretty(&value))
            .map_err(|_| PlanError::BadKey(key.to_owned()))?;
        body.push(b'\n');
        planned.push(SiteFile {
            key: key.to_owned(),
            content_type: content_type(key),
            caching: Caching::Revalidate,
            body,
        });
    }
    let rank = |file: &SiteFile| match (file.caching, file.content_type.starts_with("text/html")) {
        (_, true) => 2,
        (Caching::Revalidate, false) => 1,
        _ => 0,
    };
    planned.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.key.cmp(&b.key)));
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> WebConfig {
        WebConfig {
            api_url: "https://d1.cloudfront.net/v1".into(),
            auth_url: "https://p.auth.us-east-1.amazoncognito.com".into(),
            client_id: "client".into(),
            redirect_uri: "https://d1.cloudfront.net/".into(),
        }
    }

    fn hash_of(body: &[u8], digits: usize) -> String {
        Sha256::digest(body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()[..digits]
            .to_owned()
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a/b.MJS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("config.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type("logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("logo.png"), "image/png");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn only_a_name_carrying_the_contents_hash_is_fingerprinted() {
        let body = b"export const x = 1;\n";
        let hash = hash_of(body, 10);
        assert!(is_fingerprinted(&format!("assets/app.{hash}.js"), body));
        assert!(is_fingerprinted(
            &format!("app-{}.js", hash.to_uppercase()),
            body
        ));
        assert!(
            !is_fingerprinted("app.deadbeef.js", body),
            "looks like a hash, is not one"
        );
        assert!(
            !is_fingerprinted(&format!("app.{}.js", &hash[..7]), body),
            "too short"
        );
        assert!(!is_fingerprinted(
            &format!("app.{hash}.js"),
            b"other contents"
        ));
        assert!(!is_fingerprinted("app.js", body));
    }

    #[test]
    fn html_and_generated_files_revalidate_assets_are_ordered_first() {
        let js = b"console.log(1)".to_vec();
        let fingerprinted = format!("app.{}.js", hash_of(&js, 8));
        let files = vec![
            ("index.html".to_owned(), b"<!doctype html>".to_vec()),
            ("help/index.html".to_owned(), b"<!doctype html>".to_vec()),
            (fingerprinted.clone(), js),
            ("style.css".to_owned(), b"body{}".to_vec()),
            ("config.json".to_owned(), b"{\"stale\":true}".to_vec()),
        ];
        let schema = serde_json::json!({"type": "object"});
        let planned = plan(files, &config(), &schema).unwrap();
        let summary: Vec<(&str, Caching)> = planned
            .iter()
            .map(|f| (f.key.as_str(), f.caching))
            .collect();
        assert_eq!(
            summary,
            [
                (fingerprinted.as_str(), Caching::Immutable),
                ("style.css", Caching::Short),
                ("config.json", Caching::Revalidate),
                ("dragon.schema.json", Caching::Revalidate),
                ("help/index.html", Caching::Revalidate),
                ("index.html", Caching::Revalidate),
            ]
        );
        let config_file = planned.iter().find(|f| f.key == "config.json").unwrap();
        let written: WebConfig = serde_json::from_slice(&config_file.body).unwrap();
        assert_eq!(
            written,
            config(),
            "the generated config replaces the site's own"
        );
        let schema_file = planned
            .iter()
            .find(|f| f.key == "dragon.schema.json")
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&schema_file.body).unwrap(),
            schema
        );
    }

    #[test]
    fn a_site_without_index_or_with_odd_paths_is_refused() {
        let schema = serde_json::json!({});
        let only_css = vec![("style.css".to_owned(), Vec::new())];
        assert_eq!(plan(only_css, &config(), &schema), Err(PlanError::NoIndex));
        for bad in ["../index.html", "a//b.js", "", "./x.js", "a\\b.js"] {
            let files = vec![
                ("index.html".to_owned(), Vec::new()),
                (bad.to_owned(), Vec::new()),
            ];
            assert_eq!(
                plan(files, &config(), &schema),
                Err(PlanError::BadKey(bad.to_owned())),
                "{bad:?}"
            );
        }
    }
}
