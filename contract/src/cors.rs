//! The API's CORS policy: what the template's gateway responses and preflight say,
//! what the Lambdas answer, and what local-api answers. The methods a preflight
//! allows come from the route table ([`crate::routes::allowed_methods`]).

/// `Access-Control-Allow-Origin`: the origins that may read answers.
pub const ALLOW_ORIGIN: &str = "*";
/// `Access-Control-Allow-Headers` of a preflight.
pub const ALLOW_HEADERS: &str = "Authorization,Content-Type";
/// `Access-Control-Expose-Headers` of answers: what a browser's script may read
/// besides the simple headers (the next page's `Link`, an accepted report's
/// `Location`, how long to wait before retrying a 503 or 429).
pub const EXPOSE_HEADERS: &str = "Link,Location,Retry-After";
