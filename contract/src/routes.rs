//! The REST API as values: every route's method, operation, parameters, request body
//! and answers (status, headers, body shape). [`super::api`] builds the API Gateway
//! resources from them and [`crate::openapi`] describes the same API to clients, so the
//! two cannot drift apart. CORS preflights are API Gateway plumbing, not routes.

use dragons_contract::{
    dragon::{MAX_FAMILY_CHARS, MAX_NAME_CHARS},
    names::DRAGONS_PATH_PART,
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
    description: "The next page, when more records remain: `<URL>; rel=\"next\"` (RFC 8288).",
};
/// `Location`: an accepted report's status.
pub const LOCATION: Header = Header {
    name: "Location",
    description: "Where the report's status is: `…/dragons/reports/{reportId}`.",
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

/// One method on one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The path below the stage, with `{parameter}` placeholders.
    pub path: String,
    /// `GET`, `POST`.
    pub method: &'static str,
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
        operation: "ListDragons",
        summary: "A page of the dragons, optionally of one name and/or one family.",
        parameters: vec![
            text(
                NAME_PARAMETER,
                "Only the dragon of this exact name.",
                MAX_NAME_CHARS,
            ),
            text(
                FAMILY_PARAMETER,
                "Only dragons of this exact family.",
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
}
