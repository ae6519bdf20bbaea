//! Integration tests: the generated stack under the real linters and our own
//! invariants. One binary; shared helpers in `util.rs`.

// Test helpers panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod appends;
mod architecture_map;
mod bootstrap;
mod cli_data;
mod cli_operate;
mod cli_stack;
mod dependency_rules;
mod deploy;
mod environments;
mod least_privilege;
mod lint;
mod list_dragons;
mod live_diff;
mod local_api;
mod migration;
mod moto_server;
mod pagination;
mod publish_web;
mod report_tasks;
mod report_workflow;
mod request_model;
mod request_template;
mod sample_data;
mod state_machine;
mod stores;
mod update_table;
mod upload_data;
mod util;
mod web_app;
mod web_stack;
mod workflow_on_moto;
mod workflows;
