//! Publishing tokens (placeholder, being written).
