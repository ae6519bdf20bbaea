//! The dragons API on a laptop, standing in for API Gateway, its Cognito
//! authorizer and Step Functions against a local AWS endpoint (moto):
//! `auth` checks ID tokens as the authorizer does, `routes` serves the API behind
//! it, `api_error` is every refusal it answers, `proxy_event` builds the event the
//! real `list-dragons` handler receives, `step_functions` runs the report workflow
//! in-process (the contract's definition, the `asl` interpreter, the real handlers,
//! SNS through the SDK), `executions` tracks its runs, `local_aws` builds the SDK configuration that
//! only reaches a loopback endpoint, `local_stack` creates the
//! stack's resources locally (`seed` names and loads them), `web` serves the web
//! app on the same origin with `oauth`, the sign-in stand-in, and `app` wires it all.

pub mod api_error;
pub mod app;
pub mod auth;
pub mod executions;
pub mod local_aws;
pub mod local_stack;
pub mod oauth;
pub mod proxy_event;
pub mod routes;
pub mod seed;
pub mod step_functions;
pub mod web;
