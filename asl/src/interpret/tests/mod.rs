//! Scenario tests of the interpreter: whole machines run with fake runners and the test
//! clock.

mod support;

mod errors;
mod io_processing;
mod jsonata;
mod map_parallel;
mod states;
mod variables;
