//! Pure domain logic of the Lambdas: validating a reported dragon, splitting the data
//! object into records, the scan engine's filter (and its check of the records it
//! skips) and pages, the page tokens, the S3 Select SQL, and the writers' view of the
//! data object, its names index and the claims on names. No I/O, no AWS types.

pub mod catalog;
pub mod filter;
pub mod name_claim;
pub mod name_index;
pub mod page_scan;
pub mod page_token;
pub mod record_check;
pub mod records;
pub mod select_sql;
pub mod validation;
