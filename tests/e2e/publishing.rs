//! Association publishing over HTTP (being written).
