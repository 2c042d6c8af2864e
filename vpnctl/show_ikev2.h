/*
 * What show crypto ikev2 sa and show crypto ikev2 session share: the SA's columns (ike_sas i
 * joined with its session row s, which an SA still negotiating lacks) and their lines.
 */
#ifndef VPND_VPNCTL_SHOW_IKEV2_H
#define VPND_VPNCTL_SHOW_IKEV2_H

#include <sqlite3.h>

/* ?1 is now (unix time) */
#define V2_SA_COLS \
	" i.session_id, i.local_addr, i.local_port, i.peer_addr, i.peer_port, i.state," \
	" i.encr, i.hash, i.auth, i.dh_group, i.lifetime, i.caps, i.cky_i, i.cky_r," \
	" s.username, s.assigned_addr, MAX(0, CAST(?1 - i.established AS INTEGER)), i.local_id"
/* ?2 is IKE_CAP_V2 */
#define V2_SA_FROM \
	" FROM ike_sas i LEFT JOIN sessions s" \
	" ON s.run_id = i.run_id AND s.session_id = i.session_id" \
	" WHERE i.ended IS NULL AND (i.caps & ?2) != 0"
enum { V_ID, V_LOCAL, V_LPORT, V_PEER, V_PPORT, V_STATE, V_ENCR, V_HASH, V_AUTH, V_DH, V_LIFE,
       V_CAPS, V_SPII, V_SPIR, V_USER, V_PUSHED, V_ACTIVE, V_LOCALID, V_NCOLS };

/* The Tunnel-id row and the algorithm lines; with detail, IOS's details of the SA. */
void v2_sa_lines(sqlite3_stmt *, int detail);
/* "Tunnel-id Local   Remote ..." */
void v2_sa_heading(void);

#endif
