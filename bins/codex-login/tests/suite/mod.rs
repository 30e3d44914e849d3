mod api_key;
mod browser;
mod device;
mod harness;
