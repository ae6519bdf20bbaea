//! Names the stack definition and the Lambdas share: environment variables, default
//! SSM parameter names, the error names the state machine's Retry/Catch match, and
//! the Lambda binaries.

/// Environment variable holding the SSM parameter name of the data bucket's name.
pub const ENV_BUCKET_PARAMETER: &str = "DRAGON_DATA_BUCKET_PARAMETER";
/// Environment variable holding the SSM parameter name of the data object's key.
pub const ENV_FILE_PARAMETER: &str = "DRAGON_DATA_FILE_PARAMETER";
/// Environment variable choosing the query engine (`auto`, `s3-select`, `scan`).
pub const ENV_QUERY_ENGINE: &str = "DRAGONS_QUERY_ENGINE";

/// The seed's SSM parameter holding the data bucket's name.
pub const DEFAULT_BUCKET_PARAMETER: &str = "dragon_data_bucket_name";
/// The seed's SSM parameter holding the data object's key.
pub const DEFAULT_FILE_PARAMETER: &str = "dragon_data_file_name";
/// The data object's default key: JSON Lines.
pub const DEFAULT_DATA_KEY: &str = "dragons.jsonl";

/// The query engines `DRAGONS_QUERY_ENGINE` accepts; the first is the default.
pub const QUERY_ENGINES: [&str; 3] = ["auto", "s3-select", "scan"];

/// `error_type` of a rejected dragon; the state machine catches it by this name.
pub const DRAGON_VALIDATION_ERROR: &str = "DragonValidationError";
/// `error_type` of a conditional write that lost a race; the state machine retries it.
pub const DRAGON_WRITE_CONFLICT: &str = "DragonWriteConflict";

/// `error_type` of a store failure (SSM or S3 unreadable, malformed data).
pub const DRAGON_STORE_ERROR: &str = "DragonStoreError";

/// The Lambda binaries (cargo-lambda zips under `target/lambda/<name>/`).
pub mod functions {
    /// `GET /dragons`.
    pub const LIST_DRAGONS: &str = "list-dragons";
    /// The workflow's validation step.
    pub const VALIDATE_DRAGON: &str = "validate-dragon";
    /// The workflow's conditional write.
    pub const ADD_DRAGON: &str = "add-dragon";
}
