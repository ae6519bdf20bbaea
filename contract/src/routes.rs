//! The API's route table: every route once, with its method, path, authorization,
//! integration (a Lambda proxy or the `StartExecution` service integration), request
//! model and declared answers and headers. stack-gen builds the API Gateway resources,
//! methods, Lambda permissions, CORS preflights and the OpenAPI document from it;
//! local-api mounts the same table under `/{stage}`. Adding a route is one entry here
//! plus its handler. CORS preflights are API Gateway plumbing, not routes: each
//! resource gets one, allowing the methods the table puts on it ([`allowed_methods`]).
//!
//! Paths are below the stage. Deployed, API Gateway serves them at
//! `https://{api}.execute-api.{region}.amazonaws.com/{stage}/…`, the site's CloudFront
//! distribution at `https://{site}/{stage}/…` (its `/{stage}/*` behaviour), and a
//! custom domain at `https://{domain}/{base path}/…` (base path mapping): `Location`
//! and `Link` are relative references built from `$context.path`, the path as the
//! client sent it, so they resolve against the URL they came from in each of these.

use crate::{
    dragon::{MAX_FAMILY_CHARS, MAX_NAME_CHARS},
    names::{DRAGONS_PATH_PART, functions},
    page::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT},
    query::{
        FAMILY_PARAMETER, LIMIT_PARAMETER, MAX_TOKEN_CHARS, NAME_PARAMETER, NEXT_TOKEN_PARAMETER,
    },
    report_status::{MAX_REPORT_ID_CHARS, REPORT_ID_PARAMETER, REPORTS_PATH_PART},
};

/// What a body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// One dragon (the request model).
    Dragon,
    /// A JSON array of dragons (a page).
    Dragons,
    /// A report accepted: `{"reportId", "status"}`.
    Accepted,
    /// A report's status.
    ReportStatus,
    /// An error: `{"message"}`.
    Error,
}

/// A response header a route sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Its name.
    pub name: &'static str,
    /// What it says.
    pub description: &'static str,
}

/// `Link`: the next page.
pub const LINK: Header = Header {
    name: "Link",
    description: "The next page, when more records remain: `<PATH?QUERY>; rel=\"next\"` (RFC 8288). The target is a relative reference: the request's own path as API Gateway's `$context.path` gives it (the stage, or a custom domain's base path, included) with the same filters, the limit and `nextToken`; resolve it against the URL of the request.",
};
/// `Location`: an accepted report's status.
pub const LOCATION: Header = Header {
    name: "Location",
    description: "Where the report's status is: `$context.path` of the request (the stage, or a custom domain's base path, included) then `/reports/{reportId}`, e.g. `/v1/dragons/reports/{reportId}`; a relative reference, resolved against the URL of the request.",
};
/// `Retry-After`: when to try again.
pub const RETRY_AFTER: Header = Header {
    name: "Retry-After",
    description: "Seconds to wait before trying again.",
};

/// One answer of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// When and why.
    pub description: &'static str,
    /// The headers it carries (besides CORS and `Content-Type`).
    pub headers: &'static [Header],
    /// Its body.
    pub body: Body,
}

const fn error(status: u16, description: &'static str) -> Answer {
    Answer {
        status,
        description,
        headers: &[],
        body: Body::Error,
    }
}

const UNAUTHORIZED: Answer = error(401, "No ID token, or one the Cognito authorizer refuses.");
const UNAVAILABLE: Answer = Answer {
    status: 503,
    description: "A service behind the API is throttling or failing for now; try again after `Retry-After` seconds.",
    headers: &[RETRY_AFTER],
    body: Body::Error,
};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    /// The query string.
    Query,
    /// The path.
    Path,
}

/// A string or integer parameter and its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string of at most this many characters.
    Text {
        /// The longest accepted.
        max_chars: usize,
    },
    /// An integer in a range, with a default.
    Integer {
        /// The least.
        min: usize,
        /// The most.
        max: usize,
        /// When absent.
        default: usize,
    },
}

/// A request parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parameter {
    /// Its name.
    pub name: &'static str,
    /// Where it goes.
    pub place: In,
    /// Whether it must be given.
    pub required: bool,
    /// What it means.
    pub description: &'static str,
    /// Its type and bounds.
    pub kind: Kind,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorization {
    /// A Cognito user pool ID token in `Authorization`, checked by API Gateway's
    /// Cognito authorizer before anything else runs.
    CognitoIdToken,
}

/// What answers a route behind API Gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integration {
    /// A Lambda proxy integration (`AWS_PROXY`) of the function built from this
    /// binary ([`functions`]).
    LambdaProxy(&'static str),
    /// The `states:StartExecution` service integration of the report workflow: the
    /// body, checked against the request model, becomes the execution's input.
    StartExecution,
}

/// One method on one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The path below the stage, with `{parameter}` placeholders.
    pub path: String,
    /// `GET`, `POST`.
    pub method: &'static str,
    /// Who may call it.
    pub authorization: Authorization,
    /// What answers it.
    pub integration: Integration,
    /// The operation's name (API Gateway's `OperationName`, OpenAPI's `operationId`).
    pub operation: &'static str,
    /// A line on what it does.
    pub summary: &'static str,
    /// Its parameters.
    pub parameters: Vec<Parameter>,
    /// Its request body, if it takes one.
    pub request: Option<Body>,
    /// Every answer it gives.
    pub answers: Vec<Answer>,
}

/// `/dragons`.
pub fn dragons_path() -> String {
    format!("/{DRAGONS_PATH_PART}")
}

/// `/dragons/reports/{reportId}`.
pub fn report_path() -> String {
    format!("/{DRAGONS_PATH_PART}/{REPORTS_PATH_PART}/{{{REPORT_ID_PARAMETER}}}")
}

/// The list route.
pub fn list_dragons() -> Route {
    let text = |name, description, max_chars| Parameter {
        name,
        place: In::Query,
        required: false,
        description,
        kind: Kind::Text { max_chars },
    };
    Route {
        path: dragons_path(),
        method: "GET",
        authorization: Authorization::CognitoIdToken,
        integration: Integration::LambdaProxy(functions::LIST_DRAGONS),
        operation: "ListDragons",
        summary: "A page of the dragons, optionally of one name and/or one family.",
        parameters: vec![
            text(
                NAME_PARAMETER,
                "Only the dragon whose name has this name's key: names compare as they are unique, after NFKC normalization and Unicode case folding (`atlas`, `ATLAS` and `Ａｔｌａｓ` find `Atlas`).",
                MAX_NAME_CHARS,
            ),
            text(
                FAMILY_PARAMETER,
                "Only dragons of exactly this family (a plain string match: case and spelling count).",
                MAX_FAMILY_CHARS,
            ),
            Parameter {
                name: LIMIT_PARAMETER,
                place: In::Query,
                required: false,
                description: "At most this many dragons in the page.",
                kind: Kind::Integer {
                    min: 1,
                    max: MAX_PAGE_LIMIT,
                    default: DEFAULT_PAGE_LIMIT,
                },
            },
            text(
                NEXT_TOKEN_PARAMETER,
                "The token of the page before (from its `Link`), with the same filters.",
                MAX_TOKEN_CHARS,
            ),
        ],
        request: None,
        answers: vec![
            Answer {
                status: 200,
                description: "The page (at most `limit` dragons, and under 5 MiB).",
                headers: &[LINK],
                body: Body::Dragons,
            },
            error(
                400,
                "An unknown, repeated, empty or over-long parameter, or a page token not of this walk.",
            ),
            UNAUTHORIZED,
            error(502, "The dragon data could not be read."),
            UNAVAILABLE,
        ],
    }
}

/// The report route.
pub fn report_dragon() -> Route {
    Route {
        path: dragons_path(),
        method: "POST",
        authorization: Authorization::CognitoIdToken,
        integration: Integration::StartExecution,
        operation: "ReportDragon",
        summary: "Reports a dragon: the report is checked and added in the background.",
        parameters: Vec::new(),
        request: Some(Body::Dragon),
        answers: vec![
            Answer {
                status: 202,
                description: "The report was accepted and runs; follow `Location` for its outcome.",
                headers: &[LOCATION],
                body: Body::Accepted,
            },
            error(
                400,
                "The body is not JSON, or not a dragon the model accepts.",
            ),
            UNAUTHORIZED,
            error(409, "A report of this id was already started."),
            error(413, "The body is over the 10 MB payload quota."),
            error(415, "The body is not `application/json`."),
            error(502, "The report workflow could not be started."),
            UNAVAILABLE,
        ],
    }
}

/// The report status route.
pub fn report_status() -> Route {
    Route {
        path: report_path(),
        method: "GET",
        authorization: Authorization::CognitoIdToken,
        integration: Integration::LambdaProxy(functions::REPORT_STATUS),
        operation: "GetReportStatus",
        summary: "A report's status, for the user who reported it.",
        parameters: vec![Parameter {
            name: REPORT_ID_PARAMETER,
            place: In::Path,
            required: true,
            description: "The `reportId` of the 202 answer (`A–Z a–z 0–9 - _`).",
            kind: Kind::Text {
                max_chars: MAX_REPORT_ID_CHARS,
            },
        }],
        request: None,
        answers: vec![
            Answer {
                status: 200,
                description: "The report's status.",
                headers: &[],
                body: Body::ReportStatus,
            },
            UNAUTHORIZED,
            error(
                404,
                "No report of this id was reported by the caller (or none exists).",
            ),
            error(502, "The report's status could not be read."),
            UNAVAILABLE,
        ],
    }
}

/// Every route.
pub fn all() -> Vec<Route> {
    vec![list_dragons(), report_dragon(), report_status()]
}

impl Route {
    /// The answer with `status`, if the route gives it.
    pub fn answer(&self, status: u16) -> Option<&Answer> {
        self.answers.iter().find(|answer| answer.status == status)
    }

    /// The path's segments (`["dragons", "reports", "{reportId}"]`).
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.path.split('/').filter(|segment| !segment.is_empty())
    }

    /// The path as an execute-api ARN writes it, a path parameter standing for any
    /// one segment: `/dragons/reports/*`.
    pub fn arn_path(&self) -> String {
        self.segments()
            .map(|segment| {
                if is_parameter(segment) {
                    "/*".to_owned()
                } else {
                    format!("/{segment}")
                }
            })
            .collect()
    }
}

/// Whether a path segment is a `{parameter}`.
pub fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// Every resource path the routes need, parents before children, each once:
/// `/dragons`, `/dragons/reports`, `/dragons/reports/{reportId}`.
pub fn resource_paths(routes: &[Route]) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for route in routes {
        let mut path = String::new();
        for segment in route.segments() {
            path.push('/');
            path.push_str(segment);
            if !paths.contains(&path) {
                paths.push(path.clone());
            }
        }
    }
    paths
}

/// `Access-Control-Allow-Methods` of the preflight of the resource at `path`: the
/// methods the routes put on it, then `OPTIONS`.
pub fn allowed_methods(routes: &[Route], path: &str) -> String {
    let mut methods: Vec<&str> = routes
        .iter()
        .filter(|route| route.path == path)
        .map(|route| route.method)
        .collect();
    methods.push("OPTIONS");
    methods.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_is_one_method_on_one_path() {
        let routes = all();
        for (index, route) in routes.iter().enumerate() {
            assert!(route.path.starts_with('/'), "{}", route.path);
            assert!(
                routes[..index]
                    .iter()
                    .all(|other| (other.method, &other.path) != (route.method, &route.path)),
                "{} {} twice",
                route.method,
                route.path
            );
            assert!(
                routes[..index]
                    .iter()
                    .all(|other| other.operation != route.operation)
            );
        }
    }

    #[test]
    fn resources_come_parents_first_and_preflights_allow_the_table_s_methods() {
        let routes = all();
        assert_eq!(
            resource_paths(&routes),
            [
                "/dragons",
                "/dragons/reports",
                "/dragons/reports/{reportId}"
            ]
        );
        assert_eq!(allowed_methods(&routes, "/dragons"), "GET,POST,OPTIONS");
        assert_eq!(
            allowed_methods(&routes, "/dragons/reports/{reportId}"),
            "GET,OPTIONS"
        );
        assert_eq!(report_status().arn_path(), "/dragons/reports/*");
        assert_eq!(list_dragons().arn_path(), "/dragons");
    }
}
