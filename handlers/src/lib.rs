//! The dragons Lambdas: `domain` holds the pure logic (no I/O, no AWS types), `aws`
//! the SDK adapters behind the contract's store traits, `api` the HTTP face, `tasks`
//! the report workflow's tasks, `logging` the JSON log set-up, and `function` the one
//! wiring of every Lambda; each binary in `src/bin` only names its function.

pub mod api;
pub mod aws;
pub mod domain;
pub mod function;
pub mod logging;
pub mod tasks;
