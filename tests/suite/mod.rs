mod shim;
