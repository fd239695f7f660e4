//! Publications (placeholder, being written).
