//! One end-to-end test binary; each module is one area of the product.

mod common;

mod cli;
mod crash;
mod limits;
mod publishing;
mod tokens;
mod search;
mod server;
