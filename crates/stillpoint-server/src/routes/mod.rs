//! One module per resource; handlers extract, call the engine off the runtime, render.

pub mod search;
