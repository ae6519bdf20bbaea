//! The stand-in's sign-in page: "Email" and "Password", labelled, posting to
//! `/login` with the authorization request carried along in hidden fields. Every
//! value written into the page is escaped; the page has no script.

use std::fmt::Write;

/// The authorization request a sign-in page carries to `/login`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// The app client.
    pub client_id: String,
    /// Where the code goes.
    pub redirect_uri: String,
    /// The client's state, returned as is.
    pub state: String,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// The scopes asked for.
    pub scope: String,
}

/// `text` escaped for HTML text and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The sign-in page for `request`, with `error` shown above the form when set and
/// `email` filled in.
pub fn sign_in_page(request: &AuthorizeRequest, email: &str, error: Option<&str>) -> String {
    let mut hidden = String::from(concat!(
        r#"<input type="hidden" name="response_type" value="code">"#,
        r#"<input type="hidden" name="code_challenge_method" value="S256">"#
    ));
    for (name, value) in [
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("state", &request.state),
        ("code_challenge", &request.code_challenge),
        ("scope", &request.scope),
    ] {
        let _ = write!(
            hidden,
            r#"<input type="hidden" name="{name}" value="{}">"#,
            escape(value)
        );
    }
    let alert = error
        .map(|text| {
            format!(
                r#"<div class="alert" role="alert"><p>{}</p></div>"#,
                escape(text)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Dragons</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<main class="signin">
<h1>Sign in</h1>
<p>local-api's stand-in for the managed login page: the user pool on the local endpoint checks the password.</p>
{alert}
<form method="post" action="/login">
{hidden}
<div class="field"><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="{email}"></div>
<div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
"#,
        email = escape(email)
    )
}

/// A page saying the authorization request is refused, and why.
pub fn refusal_page(reason: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign-in refused · Dragons</title><link rel="stylesheet" href="/app.css"></head>
<body><main class="signin"><h1>Sign-in refused</h1><div class="alert" role="alert"><p>{}</p></div></main></body>
</html>
"#,
        escape(reason)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_into_the_page() {
        let request = AuthorizeRequest {
            state: r#""><script>alert(1)</script>"#.into(),
            ..AuthorizeRequest::default()
        };
        let page = sign_in_page(&request, "a'b@example.com", Some("<b>no</b>"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&quot;&gt;&lt;script&gt;"));
        assert!(page.contains("a&#39;b@example.com"));
        assert!(page.contains("&lt;b&gt;no&lt;/b&gt;"));
        assert!(page.contains(r#"<label for="email">Email</label>"#));
        assert!(page.contains(r#"<label for="password">Password</label>"#));
    }
}
