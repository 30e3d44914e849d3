mod approvals;
mod compact;
mod credentials;
mod harness;
mod interrupts;
mod limits_status;
mod mcp_approvals;
mod resume;
