//! Pure domain logic of the Lambdas: validating a reported dragon, the S3 Select SQL,
//! the streaming filter and the writers' view of the data object. No I/O, no AWS types.

pub mod catalog;
pub mod filter;
pub mod select_sql;
pub mod validation;
