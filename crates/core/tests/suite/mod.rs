mod approvals;
mod harness;
mod interrupts;
