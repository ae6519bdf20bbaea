//! The report workflow's Lambda tasks: what they receive from the state machine,
//! what they answer, and the typed errors whose `error_type` the definition's
//! Retry and Catch name.

pub mod add_dragon;
pub mod report;
pub mod task_error;
pub mod validate_dragon;

pub use report::{Report, Reporter};
pub use task_error::TaskError;
