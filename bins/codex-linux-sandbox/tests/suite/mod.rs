mod cli;
mod escapes;
mod filesystem;
mod harness;
mod kernel;
mod network;
mod privileges;
mod works;
