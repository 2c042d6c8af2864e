# radius/: nothing is built here: the RADIUS client lives in keymgr (keymgr/radius*.c), where the secrets are.
