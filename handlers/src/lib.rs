//! The dragons Lambdas: `domain` holds the pure logic (no I/O, no AWS types).

pub mod domain;
