mod approvals;
mod compact;
mod credentials;
mod harness;
mod interrupts;
mod mcp_approvals;
mod resume;
