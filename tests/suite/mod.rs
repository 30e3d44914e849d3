mod hardening;
mod login_then_exec;
mod shim;
