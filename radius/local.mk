# radius/: RADIUS AAA (libradcli) comes with the RADIUS issue; nothing is built here yet.
