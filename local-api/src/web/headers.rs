//! The security headers of every page and file of the web app, as the deployed
//! response headers policy sends them: a Content-Security-Policy allowing scripts,
//! styles and connections to this origin only (no inline script, no `eval`, no
//! string-to-markup sinks through Trusted Types, no framing), `nosniff`, no
//! referrer (a sign-in answer's code is in the URL), and no caching.

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

/// Where the browser reports a CSP violation (local-api counts and logs them).
pub const CSP_REPORT_PATH: &str = "/csp-reports";

/// The Content-Security-Policy of the app and the sign-in page.
pub const CONTENT_SECURITY_POLICY: &str = concat!(
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; ",
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; ",
    "require-trusted-types-for 'script'; trusted-types 'none'; report-uri /csp-reports"
);

/// Adds the security headers to `headers`.
pub fn secure(headers: &mut HeaderMap) {
    let pairs: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-cache"),
    ];
    for (name, value) in pairs {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_come_from_this_origin_only() {
        let script = CONTENT_SECURITY_POLICY
            .split(';')
            .map(str::trim)
            .find(|directive| directive.starts_with("script-src"))
            .unwrap();
        assert_eq!(script, "script-src 'self'");
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(CONTENT_SECURITY_POLICY.ends_with(CSP_REPORT_PATH));
    }
}
