mod api_key;
mod browser;
mod device;
mod fake_issuer;
mod harness;
mod manager;
