//! Thin adapters that run the domain against AWS: SDK clients built once, what SSM
//! says (the data location, the table's name), the two query engines and the
//! conditional append behind [`S3Store`], the DynamoDB table behind [`DynamoStore`],
//! and [`AnyStore`], the one a stack was deployed with.

pub mod any_store;
pub mod append;
pub mod clients;
pub mod dynamo;
pub mod executions;
pub mod kept;
pub mod location;
pub mod paged;
pub mod s3_select;
pub mod scan;
pub mod sdk_error;
pub mod store;

pub use any_store::AnyStore;
pub use clients::AwsClients;
pub use dynamo::DynamoStore;
pub use location::{DataLocation, ParameterNames, cache_ttl_from_env};
pub use store::{S3Store, engine_from_env_or};
