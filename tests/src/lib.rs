//! Test harness: locating the pinned tools and running them.
