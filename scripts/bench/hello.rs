//! The floor for start-up benchmarks: a static binary that prints one line
//! and exits. Built by `scripts/bench-startup.sh`; not part of the workspace.

fn main() {
    println!("hello");
}
