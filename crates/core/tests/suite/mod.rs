mod approvals;
mod credentials;
mod harness;
mod interrupts;
