//! Everything both sides of the dragons boundary agree on, as typed values: the
//! template (`stack-gen`), the Lambdas (`handlers`) and the local stand-in
//! (`local-api`) all read these, so they cannot drift apart.
//!
//! - [`Dragon`] and its JSON Schema ([`schema`]), the layout of the data object
//!   ([`DataFormat`]), the `GET /dragons` query ([`query`]) and its engines
//!   ([`query_engine`]);
//! - the report the workflow runs on ([`Report`], [`Reporter`], [`AddInput`]), the error
//!   names its tasks answer with ([`TaskErrorType`]), and what the reporter learns of it
//!   ([`report_status`]);
//! - the names of environment variables, SSM parameters, binaries, the stage and the
//!   state machine ([`names`]), the kinds of store and the table's layout
//!   ([`data_store`]), the CORS policy ([`cors`]), and the API's route table
//!   ([`routes`]): every route once, which the template and local-api both build;
//! - the template's logical ids and outputs the CLI reads from a stack ([`stack_ids`]);
//! - the web app's `config.json` ([`web_config`]) and the deployed site's outputs and
//!   security headers ([`web_site`]);
//! - the report workflow's definition, built with `asl` ([`workflow`]);
//! - the key names are unique by ([`name`]), pages ([`page`]), the store contract
//!   ([`store`]) and an in-memory store for tests ([`memory`]).
//!
//! Nothing here knows of AWS SDKs, HTTP servers or CloudFormation.

pub mod cors;
pub mod data_store;
pub mod dragon;
pub mod error_body;
pub mod format;
pub mod memory;
pub mod name;
pub mod names;
pub mod page;
pub mod query;
pub mod query_engine;
pub mod report;
pub mod report_status;
pub mod routes;
pub mod schema;
pub mod stack_ids;
pub mod store;
pub mod task_answer;
pub mod task_error;
pub mod web_config;
pub mod web_site;
pub mod workflow;

#[cfg(test)]
mod workflow_tests;

pub use dragon::Dragon;
pub use format::DataFormat;
pub use query::DragonQuery;
pub use report::{AddInput, Report, ReportRef, Reporter};
pub use task_answer::TaskAnswer;
pub use task_error::TaskErrorType;
