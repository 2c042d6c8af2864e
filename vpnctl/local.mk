# vpnctl/: the operator tool.
