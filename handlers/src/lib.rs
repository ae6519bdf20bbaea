//! The dragons Lambdas: `domain` holds the pure logic (no I/O, no AWS types), `aws`
//! the SDK adapters, `api` the HTTP face, `workflow` the report
//! workflow's tasks, `logging` the JSON log set-up; the
//! binaries in `src/bin` only wire them.

pub mod api;
pub mod aws;
pub mod domain;
pub mod logging;
pub mod workflow;
