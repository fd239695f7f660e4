//! `stillpoint token` (being written).
