//! Thin adapters that run the domain against AWS: SDK clients built once, the data
//! location in SSM, the two query engines and the conditional append, and
//! [`S3Store`], which puts them behind the contract's store traits.

pub mod append;
pub mod channel_body;
pub mod clients;
pub mod location;
pub mod paged;
pub mod s3_select;
pub mod scan;
pub mod sdk_error;
pub mod store;

pub use clients::AwsClients;
pub use location::{DataLocation, ParameterNames, cache_ttl_from_env};
pub use store::{S3Store, engine_from_env_or};
