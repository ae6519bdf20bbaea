//! A deployed stack as the CLI sees it: its outputs (DescribeStacks) and its resources
//! by logical id (ListStackResources). Every command finds what it works on here, so
//! it can only ever reach the stack it was named, never another environment's
//! resources through a default.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::error::DisplayErrorContext;
use handlers::aws::ParameterNames;
use serde::Serialize;

pub use dragons_contract::stack_ids::{ids, outputs};

/// One resource of the stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    /// Its CloudFormation type (`AWS::S3::Bucket`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its physical id (a bucket's name, a parameter's name, a log group's name).
    pub physical_id: String,
}

/// A deployed stack's outputs and resources.
#[derive(Debug, Clone, Serialize)]
pub struct Stack {
    /// The stack's name.
    pub name: String,
    /// Its status (`CREATE_COMPLETE`, …).
    pub status: String,
    /// Its outputs, by key.
    pub outputs: BTreeMap<String, String>,
    /// Its resources with a physical id, by logical id.
    pub resources: BTreeMap<String, Resource>,
}

/// Why the stack could not be read, or lacks what a command needs.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// DescribeStacks or ListStackResources failed (no such stack, no access, …).
    #[error("reading stack {stack} failed: {message}")]
    Read {
        /// The stack.
        stack: String,
        /// What CloudFormation said.
        message: String,
    },
    /// An output the command needs is not there.
    #[error("stack {stack} has no output {output}")]
    MissingOutput {
        /// The stack.
        stack: String,
        /// The output's key.
        output: &'static str,
    },
    /// A resource the command needs is not there.
    #[error("stack {stack} has no resource {logical_id}")]
    MissingResource {
        /// The stack.
        stack: String,
        /// The resource's logical id.
        logical_id: String,
    },
}

impl Stack {
    /// Reads `name`'s outputs and resources.
    pub async fn read(
        cloudformation: &aws_sdk_cloudformation::Client,
        name: &str,
    ) -> Result<Self, StackError> {
        let failed = |message: String| StackError::Read {
            stack: name.to_owned(),
            message,
        };
        let described = cloudformation
            .describe_stacks()
            .stack_name(name)
            .send()
            .await
            .map_err(|error| failed(DisplayErrorContext(&error).to_string()))?;
        let stack = described
            .stacks()
            .first()
            .ok_or_else(|| failed("no such stack".to_owned()))?;
        let outputs = stack
            .outputs()
            .iter()
            .filter_map(|output| {
                Some((
                    output.output_key()?.to_owned(),
                    output.output_value()?.to_owned(),
                ))
            })
            .filter(|(_, value)| !value.is_empty())
            .collect();
        let status = stack
            .stack_status()
            .map(|status| status.as_str().to_owned())
            .unwrap_or_default();
        let mut resources = BTreeMap::new();
        let mut pages = cloudformation
            .list_stack_resources()
            .stack_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| failed(DisplayErrorContext(&error).to_string()))?;
            for summary in page.stack_resource_summaries() {
                let (Some(id), Some(physical_id)) = (
                    summary.logical_resource_id(),
                    summary.physical_resource_id(),
                ) else {
                    continue;
                };
                resources.insert(
                    id.to_owned(),
                    Resource {
                        kind: summary.resource_type().unwrap_or_default().to_owned(),
                        physical_id: physical_id.to_owned(),
                    },
                );
            }
        }
        Ok(Self {
            name: name.to_owned(),
            status,
            outputs,
            resources,
        })
    }

    /// The value of `output`.
    pub fn output(&self, output: &'static str) -> Result<&str, StackError> {
        self.outputs
            .get(output)
            .map(String::as_str)
            .ok_or_else(|| StackError::MissingOutput {
                stack: self.name.clone(),
                output,
            })
    }

    /// The physical id of the resource `logical_id`.
    pub fn physical_id(&self, logical_id: &str) -> Result<&str, StackError> {
        self.resources
            .get(logical_id)
            .map(|resource| resource.physical_id.as_str())
            .ok_or_else(|| StackError::MissingResource {
                stack: self.name.clone(),
                logical_id: logical_id.to_owned(),
            })
    }

    /// The physical id of `logical_id`, if the stack has it.
    pub fn optional(&self, logical_id: &str) -> Option<&str> {
        self.resources
            .get(logical_id)
            .map(|resource| resource.physical_id.as_str())
    }

    /// The names of the SSM parameters saying where this stack's data object is.
    pub fn data_parameters(&self) -> Result<ParameterNames, StackError> {
        Ok(ParameterNames {
            bucket: self.physical_id(ids::BUCKET_PARAMETER)?.to_owned(),
            file: self.physical_id(ids::FILE_PARAMETER)?.to_owned(),
        })
    }

    /// The name of the SSM parameter holding this stack's table name.
    pub fn table_parameter(&self) -> Result<&str, StackError> {
        self.physical_id(ids::TABLE_PARAMETER)
    }
}
