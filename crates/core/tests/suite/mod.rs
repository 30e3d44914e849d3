mod approvals;
mod interrupts;
