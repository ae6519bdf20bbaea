//! The dragons stack as typed Rust, written to a deterministic CloudFormation template.
//!
//! [`stack::build`] assembles the stack from `stratosphere`'s typed resources through
//! our [`template`] layer; [`output`] turns it into the files under `cfn-out/`.

pub mod iam;
pub mod output;
pub mod stack;
pub mod template;
