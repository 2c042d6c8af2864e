#!/bin/sh
# The manuals against the parser: every keyword path the parser accepts (conf_words walks its
# tables) has an ".It Ic WORDS" entry under its block's "block: NAME" comment in vpnd.conf(5),
# every such entry names a path the parser knows, every command of vpnctl's table has an entry
# in vpnctl(8), and mandoc -T lint finds nothing at warning level or above in any of the three
# pages. Run from the build directory (make check does).
set -u
srcdir=${srcdir:-.}
CONF_WORDS=${CONF_WORDS:-./test/unit/conf_words}
MAN=${MAN:-$srcdir/man/vpnd.conf.5}
FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }

command -v mandoc >/dev/null || { echo "FAIL: mandoc is missing (scripts/deps.sh installs it)"; exit 1; }
[ -r "$MAN" ] || { echo "FAIL: no $MAN"; exit 1; }

T=$(mktemp -d /tmp/test_man.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM

"$CONF_WORDS" >"$T/parser" || { echo "FAIL: $CONF_WORDS"; exit 1; }
[ "$(wc -l <"$T/parser")" -ge 100 ] || fail "conf_words listed only $(wc -l <"$T/parser") paths"
cut -f1,2 "$T/parser" | sed 's/^\t/global\t/' | sort -u >"$T/want"

# BLOCK<TAB>PATH for each entry: the words after Ic up to the first macro (a capitalised
# two- or three-letter word such as Ar, Cm, Op, Oo, Ns) or delimiter.
awk '
	/^\.\\" block: / { sub(/^\.\\" block: /, ""); block = $0; next }
	/^\.It Ic / {
		path = ""
		for (f = 3; f <= NF; f++) {
			if ($f ~ /^[A-Z][a-z][a-z]?$/ || $f ~ /^[|\[\](),.;:]$/)
				break
			path = path (path == "" ? "" : " ") $f
		}
		if (block == "")
			printf "NOBLOCK\t%s\n", path
		else
			printf "%s\t%s\n", block, path
	}' "$MAN" | sort -u >"$T/have"

comm -23 "$T/want" "$T/have" >"$T/missing"
comm -13 "$T/want" "$T/have" >"$T/unknown"
while IFS= read -r l; do
	fail "vpnd.conf(5) has no entry for '$(echo "$l" | cut -f2)' in block '$(echo "$l" | cut -f1)'"
done <"$T/missing"
while IFS= read -r l; do
	fail "vpnd.conf(5) documents '$(echo "$l" | cut -f2)' in block '$(echo "$l" | cut -f1)', which the parser does not know there"
done <"$T/unknown"
[ -s "$T/missing" ] || echo "ok: $(wc -l <"$T/want") keyword paths, each documented"

# vpnctl(8): one ".It Ic WORDS" per command of vpnctl's table (vpnctl/commands.c)
grep -oE '^[[:space:]]*\{ "[a-z][a-z -]*",' "$srcdir/vpnctl/commands.c" |
	sed -E 's/^[[:space:]]*\{ "//; s/",$//' | sort -u >"$T/vwant"
[ "$(wc -l <"$T/vwant")" -ge 20 ] || fail "found only $(wc -l <"$T/vwant") commands in vpnctl/commands.c"
awk '/^\.It Ic / {
		path = ""
		for (f = 3; f <= NF; f++) {
			if ($f ~ /^[A-Z][a-z][a-z]?$/ || $f ~ /^[|\[\](),.;:]$/)
				break
			path = path (path == "" ? "" : " ") $f
		}
		print path
	}' "$srcdir/man/vpnctl.8" | sort -u >"$T/vhave"
comm -23 "$T/vwant" "$T/vhave" >"$T/vmissing"
while IFS= read -r l; do fail "vpnctl(8) has no entry for '$l'"; done <"$T/vmissing"
[ -s "$T/vmissing" ] || echo "ok: $(wc -l <"$T/vwant") vpnctl commands, each in vpnctl(8)"

for page in vpnd.8 vpnctl.8 vpnd.conf.5; do
	if mandoc -T lint -W warning "$srcdir/man/$page" >"$T/lint" 2>&1; then
		echo "ok: mandoc -T lint $page"
	else
		cat "$T/lint"
		fail "mandoc -T lint $page"
	fi
done
exit $FAILED
