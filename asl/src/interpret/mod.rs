//! An in-process interpreter that runs a [`StateMachine`](crate::StateMachine) with
//! pluggable task runners and a pluggable clock.
//!
//! ```
//! use asl::interpret::{Interpreter, Status, TaskError, TestClock, task_fn};
//! use asl::{Pass, StateMachine, Task};
//! use serde_json::json;
//!
//! let machine = StateMachine::new("Greet")
//!     .state("Greet", Task::new("greeter").result_path("$.greeting").next("Done"))
//!     .state("Done", Pass::new().end());
//! let interpreter = Interpreter::new(&machine)
//!     .runner("greeter", task_fn(|_resource, input| async move {
//!         let name = input["name"].as_str().unwrap_or("nobody").to_owned();
//!         Ok::<_, TaskError>(json!(format!("Hello, {name}!")))
//!     }))
//!     .clock(TestClock::new());
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! let outcome = runtime.block_on(interpreter.run(json!({"name": "Atlas"})));
//! assert_eq!(outcome.status, Status::Succeeded);
//! assert_eq!(outcome.output, Some(json!({"name": "Atlas", "greeting": "Hello, Atlas!"})));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod catch;
mod choice;
mod clock;
mod completion;
mod concurrency;
mod context;
mod execution;
mod history;
mod interpreter;
pub(crate) mod intrinsic;
mod io_processing;
pub(crate) mod jsonata;
mod jsonata_states;
mod jsonpath_states;
mod map;
mod parallel;
mod parameters;
pub(crate) mod paths;
mod payload;
mod random;
mod retry;
mod runner;
mod scripted;
pub(crate) mod timestamp;
mod variables;
mod wait;
mod workflow;

#[cfg(test)]
mod tests;

#[cfg(feature = "tokio")]
pub use clock::TokioClock;
pub use clock::{Clock, TestClock};
pub use history::{HistoryEvent, Outcome, Status};
pub use interpreter::{DEFAULT_ACCOUNT_ID, DEFAULT_MAX_TRANSITIONS, DEFAULT_REGION, Interpreter};
pub use paths::{Path, PathError};
pub use runner::{FnRunner, TaskError, TaskRunner, task_fn};
pub use scripted::ScriptedRunner;
