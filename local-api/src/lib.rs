//! The dragons API on a laptop. `workflow` runs the report state machine in-process:
//! the generated definition, the `asl` interpreter, the real Lambda handlers and
//! SNS through the SDK.

pub mod workflow;
