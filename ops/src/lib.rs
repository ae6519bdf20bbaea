//! Operating a deployed stack and its data: the library of the `dragons` CLI, one
//! module per concept. [`stack`] reads a stack's outputs and resources (where every
//! command finds what it works on); [`upload`] merges dragon data into the stack's
//! data object with its names index ([`names_index`]); [`migrate`] moves it between
//! the S3 object and the DynamoDB table; [`users`] and [`token`] manage the user pool's
//! users and sign one in; [`logs`] reads the stack's log groups; [`smoke`] runs a
//! report end to end against the deployed API; [`publish`] puts the web app onto the
//! stack; [`destroy`] deletes it and keeps its data; [`progress`] shows long work;
//! [`sample`] generates sample data sets of any size.

pub mod clients;
pub mod destroy;
pub mod logs;
pub mod migrate;
pub mod names_index;
pub mod object_writer;
pub mod progress;
pub mod publish;
pub mod sample;
pub mod smoke;
pub mod stack;
pub mod token;
pub mod upload;
pub mod users;
