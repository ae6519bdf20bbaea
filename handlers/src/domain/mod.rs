//! Pure domain logic: the dragon record and its schema, the GET query, its S3 Select
//! SQL and the streaming filter. No I/O, no AWS types.

pub mod catalog;
pub mod dragon;
pub mod filter;
pub mod names;
pub mod query;
pub mod schema;
pub mod select_sql;
pub mod validation;

pub use dragon::Dragon;
