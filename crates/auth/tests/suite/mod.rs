mod browser_ports;
mod manager;
