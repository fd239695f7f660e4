//! One end-to-end test binary; each module is one area of the product.

mod common;

mod cli;
mod crash;
mod limits;
mod publishing;
mod search;
mod server;
mod tokens;
