#!/bin/bash
# The session store survives kill -9 of its writer in the middle of a write burst: after each
# kill the file passes PRAGMA integrity_check, keeps what was committed, and opens again for
# writing (db_open runs its migrations and a new run).
set -u
DB_FILL=${DB_FILL:-./test/unit/db_fill}
fail() { echo "FAIL: $*"; exit 1; }
command -v sqlite3 >/dev/null || fail "sqlite3 (the CLI) is missing: scripts/deps.sh installs it"
[ -x "$DB_FILL" ] || fail "$DB_FILL not built"

T=$(mktemp -d /tmp/vpnd-dbcrash.XXXXXX)
trap 'rm -rf "$T"' EXIT
DB=$T/vpnd.db
prev=0
for round in 1 2 3 4 5 6; do
	"$DB_FILL" --burst 1000000 "$DB" &
	pid=$!
	# let it write for a while (different each round), then kill it mid-transaction
	end=$(( $(date +%s) + 10 ))
	while [ "$(sqlite3 "$DB" 'SELECT count(*) FROM sessions' 2>/dev/null || echo 0)" -le "$prev" ]; do
		[ "$(date +%s)" -lt "$end" ] || { kill -KILL "$pid"; fail "round $round: no rows written in 10 s"; }
		sleep 0.02
	done
	sleep "0.$(( (round * 37) % 10 ))$(( round % 10 ))"
	kill -0 "$pid" 2>/dev/null || fail "round $round: the burst ended before the kill"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	ok=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
	[ "$ok" = ok ] || fail "round $round: integrity_check: $ok"
	n=$(sqlite3 "$DB" 'SELECT count(*) FROM sessions')
	[ "$n" -gt "$prev" ] || fail "round $round: $n rows, had $prev"
	prev=$n
	echo "ok: round $round: killed mid-burst, integrity ok, $n rows"
done
# the file still takes writes (a new run, migrations checked)
"$DB_FILL" --burst 3 "$DB" || fail "db_open after the kills"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity after a clean run"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM runs')" = 7 ] || fail "expected 7 runs"
echo "ok: the store opens and writes after 6 kills"
