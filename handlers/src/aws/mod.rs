//! Thin adapters that run the domain against AWS: SDK clients, the data location in
//! SSM, and the `DragonStore` with its two query engines.

pub mod catalog;
pub mod clients;
pub mod location;
pub mod s3_select;
pub mod scan;
pub mod store;

pub use catalog::{CatalogFailure, DragonCatalog};
pub use clients::AwsClients;
pub use location::{DataLocation, ParameterNames};
pub use store::{DragonStore, QueryEngine, StoreError};
