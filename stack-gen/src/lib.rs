//! The dragons stack as typed Rust, written to a deterministic CloudFormation template.
//!
//! [`stack::build`] assembles the stack from `stratosphere`'s typed resources through
//! our [`template`] layer; [`output`] turns it into the files under `cfn-out/`;
//! [`openapi`] describes the API to clients; [`diff`] tells a reviewer what a change to it does to a deployed stack.

pub mod bootstrap;
pub mod diff;
pub mod environment;
pub mod iam;
#[cfg(feature = "live")]
pub mod live;
pub mod openapi;
pub mod output;
pub mod stack;
pub mod template;
