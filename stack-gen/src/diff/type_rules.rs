//! The shape of one resource type's update rules: what the generated
//! `update_table` lists and `update_behavior` reads.

/// One resource type's update rules, as the provider schema states them. Paths are
/// `/`-separated property names below `Properties`, `*` standing for array elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeRules {
    /// The resource type, e.g. `AWS::S3::Bucket`.
    pub type_name: &'static str,
    /// The top-level properties a template may set (the schema's, less read-only ones).
    pub properties: &'static [&'static str],
    /// `createOnlyProperties`.
    pub create_only: &'static [&'static str],
    /// `conditionalCreateOnlyProperties`.
    pub conditional_create_only: &'static [&'static str],
}
