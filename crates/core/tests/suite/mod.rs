mod approvals;
