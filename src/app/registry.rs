//! Use cases of the registry: stakeholders, their offerings and needs, from registration and
//! review to edits and erasure.
