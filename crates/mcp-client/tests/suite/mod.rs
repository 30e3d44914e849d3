mod connect;
mod oauth;
