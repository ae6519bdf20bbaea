//! A page as an engine reads it: the records, and its own kind of cursor.

/// One page of records (a JSON array) and where the engine resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<C> {
    /// The records, one JSON array.
    pub body: Vec<u8>,
    /// How many.
    pub count: usize,
    /// Where the next page starts, when more records may remain.
    pub next: Option<C>,
}
