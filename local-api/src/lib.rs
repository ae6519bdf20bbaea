//! The dragons API on a laptop, standing in for API Gateway, its Cognito
//! authorizer and Step Functions against a local AWS endpoint (moto):
//! `auth` checks ID tokens as the authorizer does, `proxy_event` builds the event
//! the real `list-dragons` handler receives, `routes` serves the API, `workflow`
//! runs the report state machine in-process (the generated definition, the `asl`
//! interpreter, the real handlers, SNS through the SDK), `executions` tracks its
//! runs, `seed` creates the stack's resources locally and `app` wires it all.

pub mod app;
pub mod auth;
pub mod executions;
pub mod proxy_event;
pub mod routes;
pub mod seed;
pub mod workflow;
