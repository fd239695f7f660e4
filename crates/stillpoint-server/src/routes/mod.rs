//! One module per resource; handlers extract, call the engine off the runtime, render.

pub mod associations;
pub mod complete;
pub mod health;
pub mod lookup;
pub mod practitioners;
pub mod search;
