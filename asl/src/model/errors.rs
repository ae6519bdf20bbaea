//! Names of the predefined `States.*` error codes.

/// Wildcard matching every error name; must appear alone and in the last retrier/catcher.
pub const ALL: &str = "States.ALL";
/// A payload exceeded the 256 KiB quota: a terminal error that `States.ALL` does not
/// catch (a retrier or catcher naming it does).
pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
/// An unrecoverable runtime exception (not retriable, not matched by `States.ALL`).
pub const RUNTIME: &str = "States.Runtime";
/// A Task ran longer than `TimeoutSeconds` or missed a heartbeat.
pub const TIMEOUT: &str = "States.Timeout";
/// A Task missed its `HeartbeatSeconds` deadline.
pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
/// A Task failed during execution.
pub const TASK_FAILED: &str = "States.TaskFailed";
/// A Task lacked the privileges to run its code.
pub const PERMISSIONS: &str = "States.Permissions";
/// `ResultPath` could not be applied to the state's input.
pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
/// A field in `Parameters` whose key ends in `.$` could not be resolved.
pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
/// A branch of a Parallel state failed.
pub const BRANCH_FAILED: &str = "States.BranchFailed";
/// A Choice state matched no rule and has no `Default`.
pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
/// A JSONata expression could not be evaluated (JSONata states only).
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
/// An intrinsic function call failed.
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
/// A Map state exceeded its tolerated failure threshold.
pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
/// A Map state's item reader failed.
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
/// A Map state's result writer failed.
pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
