mod apply;
mod errors;
mod harness;
