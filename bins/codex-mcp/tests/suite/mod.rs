mod approvals;
mod basic;
mod editor;
mod harness;
mod malformed;
mod manage;
mod python;
mod rmcp_client;
