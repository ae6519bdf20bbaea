//! Pure domain logic: the dragon record and its request schema. No I/O, no AWS types.

pub mod dragon;
pub mod names;
pub mod schema;

pub use dragon::Dragon;
