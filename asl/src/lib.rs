//! Amazon States Language (ASL): a typed model of state machines, their JSON form, static
//! validation, and an in-process interpreter ([`interpret`]; its real clock and
//! `Interpreter::new` need the default feature `tokio`).
//!
//! ```
//! use asl::{Catcher, Fail, Retrier, StateMachine, Succeed, Task};
//!
//! let machine = StateMachine::new("Work")
//!     .state(
//!         "Work",
//!         Task::new("arn:aws:lambda:us-east-1:123456789012:function:work")
//!             .retry(Retrier::new([asl::errors::TIMEOUT]).max_attempts(2))
//!             .catch(Catcher::new([asl::errors::ALL], "Failed"))
//!             .next("Done"),
//!     )
//!     .state("Done", Succeed::new())
//!     .state("Failed", Fail::new("WorkFailed", "the work task failed"));
//! asl::validate(&machine)?;
//! let json = machine.to_json_pretty();
//! assert_eq!(StateMachine::from_json(&json)?, machine);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod interpret;
pub mod model;
pub mod validate;

/// Re-exported for implementing [`interpret::TaskRunner`] and [`interpret::Clock`].
pub use async_trait::async_trait;

pub use model::{
    Branch, Catcher, Choice, ChoiceRule, Condition, Fail, JsonAtaCondition, Map, Parallel,
    ParseError, Pass, QueryLanguage, Retrier, State, StateMachine, Succeed, Task, Wait, errors,
};
pub use validate::{Diagnostic, Rule, ValidationErrors, diagnostics, validate};
