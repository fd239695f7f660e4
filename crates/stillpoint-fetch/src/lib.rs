//! Guarded feed fetching (placeholder, being written).
