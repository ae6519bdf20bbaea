//! The deployed web site's contract: the stack outputs `ops` publishes it from, and
//! the security headers its pages are served with (CloudFront's response headers
//! policy; local-api may send the same).

/// Stack output: the site's URL (`https://<distribution domain>/`), the OAuth
/// callback and sign-out URL.
pub const OUTPUT_SITE_URL: &str = "SiteUrl";
/// Stack output: the API through the site's own origin (`https://<distribution domain>/<stage>`).
pub const OUTPUT_SITE_API_URL: &str = "SiteApiUrl";
/// Stack output: the CloudFront distribution's id (what an invalidation names).
pub const OUTPUT_DISTRIBUTION_ID: &str = "SiteDistributionId";
/// Stack output: the private bucket the site's files are published to.
pub const OUTPUT_SITE_BUCKET: &str = "SiteBucketName";
/// Stack output: the managed login domain's URL (`https://<prefix>.auth.<region>.amazoncognito.com`).
pub const OUTPUT_AUTH_URL: &str = "AuthUrl";
/// Stack output: the user pool app client the web app signs in with.
pub const OUTPUT_CLIENT_ID: &str = "UserPoolClientId";

/// The file the dragon's JSON Schema is published as, beside `index.html`.
pub const DRAGON_SCHEMA_FILE: &str = "dragon.schema.json";

/// `Referrer-Policy`: no URL (an authorization code in the query, say) leaves the page.
pub const REFERRER_POLICY: &str = "no-referrer";
/// `Strict-Transport-Security` max-age: two years.
pub const HSTS_MAX_AGE_SECONDS: i32 = 63_072_000;

/// The `Content-Security-Policy` of the site's pages, with `auth_origin` (the sign-in
/// server's origin, which the page's script calls for tokens) as the one other
/// origin: scripts, styles and everything else only from the site itself, no inline
/// or eval'd script, no framing, no plugins, no `<base>`.
pub fn content_security_policy(auth_origin: &str) -> String {
    [
        "default-src 'self'".to_owned(),
        "script-src 'self'".to_owned(),
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        format!("connect-src 'self' {auth_origin}"),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_inline_or_eval_script_and_names_the_auth_origin() {
        let policy = content_security_policy("https://auth.example");
        let directives: Vec<&str> = policy.split("; ").collect();
        assert!(directives.contains(&"script-src 'self'"), "{policy}");
        assert!(directives.contains(&"frame-ancestors 'none'"), "{policy}");
        assert!(directives.contains(&"connect-src 'self' https://auth.example"));
        assert!(!policy.contains("unsafe"), "{policy}");
    }
}
