//! Names the template and the code share: environment variables, SSM parameters, the
//! data object's default key and where its names index lives, the Lambda binaries,
//! the API's stage and resource, and the state machine.

/// Environment variable holding the SSM parameter name of the data bucket's name.
pub const ENV_BUCKET_PARAMETER: &str = "DRAGON_DATA_BUCKET_PARAMETER";
/// Environment variable holding the SSM parameter name of the data object's key.
pub const ENV_FILE_PARAMETER: &str = "DRAGON_DATA_FILE_PARAMETER";
/// Environment variable choosing the query engine (`auto`, `s3-select`, `scan`).
pub const ENV_QUERY_ENGINE: &str = "DRAGONS_QUERY_ENGINE";
/// Environment variable choosing the store (`s3`, `dynamodb`).
pub const ENV_DATA_STORE: &str = "DRAGONS_DATA_STORE";
/// Environment variable holding the SSM parameter name of the DynamoDB table's name.
pub const ENV_TABLE_PARAMETER: &str = "DRAGON_DATA_TABLE_PARAMETER";
/// Environment variable holding the report workflow's state machine ARN (the
/// report-status Lambda reads its executions).
pub const ENV_STATE_MACHINE_ARN: &str = "DRAGONS_STATE_MACHINE_ARN";
/// Environment variable: how many seconds a container keeps the data location it read
/// from SSM (`0`: read it on every request).
pub const ENV_LOCATION_CACHE_SECONDS: &str = "DRAGONS_LOCATION_CACHE_SECONDS";

/// The SSM parameter named `leaf` of the stack named `stack`: `/<stack>/<leaf>`, what
/// the template names its parameters unless told otherwise, so that two stacks in one
/// account and Region never share one. The leaves are the seed's global names
/// ([`DEFAULT_BUCKET_PARAMETER`], [`DEFAULT_FILE_PARAMETER`], [`DEFAULT_TABLE_PARAMETER`]).
pub fn stack_parameter(stack: &str, leaf: &str) -> String {
    format!("/{stack}/{leaf}")
}

/// The seed's SSM parameter holding the data bucket's name.
pub const DEFAULT_BUCKET_PARAMETER: &str = "dragon_data_bucket_name";
/// The seed's SSM parameter holding the data object's key.
pub const DEFAULT_FILE_PARAMETER: &str = "dragon_data_file_name";
/// The SSM parameter holding the DynamoDB table's name (a stack on DynamoDB).
pub const DEFAULT_TABLE_PARAMETER: &str = "dragon_data_table_name";
/// The data object's default key: JSON Lines.
pub const DEFAULT_DATA_KEY: &str = "dragons.jsonl";
/// What follows the data object's key in the keys of its names index (the name
/// markers and the shards of the loaded names): `<data key>.names/…`. The writers
/// read and write there, and nowhere else but the data object.
pub const NAMES_INDEX_SUFFIX: &str = ".names/";

/// The API stage the template deploys by default (the first path segment of the URL).
pub const STAGE: &str = "v1";
/// What the template's `StageName` parameter allows (its `AllowedPattern`).
pub const STAGE_PATTERN: &str = "^[a-zA-Z0-9_]{1,64}$";
/// [`STAGE_PATTERN`] in words.
pub const STAGE_PATTERN_HELP: &str = "letters, digits and '_'";
/// The longest stage name [`STAGE_PATTERN`] allows.
pub const MAX_STAGE_CHARS: usize = 64;

/// Whether `stage` is a stage name the template accepts ([`STAGE_PATTERN`]).
pub fn is_stage_name(stage: &str) -> bool {
    (1..=MAX_STAGE_CHARS).contains(&stage.len())
        && stage
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}
/// The API's one resource, below the stage.
pub const DRAGONS_PATH_PART: &str = "dragons";
/// What a 503 (or a throttled report) tells a client to wait before trying again, in
/// seconds (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u32 = 2;
/// The report workflow's state machine (its name is `<stack>-report-dragon`).
pub const STATE_MACHINE: &str = "report-dragon";

/// The alias every function is published behind, which the API and the state machine
/// invoke and CodeDeploy shifts from one version to the next.
pub const LIVE_ALIAS: &str = "live";

/// The Lambda binaries (cargo-lambda zips under `target/lambda/<name>/`).
pub mod functions {
    /// `GET /dragons`.
    pub const LIST_DRAGONS: &str = "list-dragons";
    /// The workflow's validation step.
    pub const VALIDATE_DRAGON: &str = "validate-dragon";
    /// The workflow's conditional write.
    pub const ADD_DRAGON: &str = "add-dragon";
    /// `GET /dragons/reports/{reportId}`.
    pub const REPORT_STATUS: &str = "report-status";
    /// Every Lambda the stack deploys: the binaries `scripts/build-lambdas` builds
    /// (it asks `stack-gen functions`).
    pub const ALL: [&str; 4] = [LIST_DRAGONS, VALIDATE_DRAGON, ADD_DRAGON, REPORT_STATUS];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_are_what_the_pattern_allows() {
        assert_eq!(
            STAGE_PATTERN,
            format!("^[a-zA-Z0-9_]{{1,{MAX_STAGE_CHARS}}}$")
        );
        assert!(is_stage_name(STAGE));
        for good in ["v1", "prod_2", &"a".repeat(64)] {
            assert!(is_stage_name(good), "{good}");
        }
        for bad in ["", "v-1", "a/b", "v1 ", "é", &"a".repeat(65)] {
            assert!(!is_stage_name(bad), "{bad:?}");
        }
    }
}
