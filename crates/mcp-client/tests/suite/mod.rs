mod connect;
