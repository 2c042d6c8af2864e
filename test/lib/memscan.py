#!/usr/bin/env python3
"""Count occurrences of a byte string in a live process's readable memory.

usage: memscan.py PID NEEDLE   -> prints the count; exit 0
Reads /proc/PID/maps and /proc/PID/mem (needs root or ptrace rights). Regions that cannot be
read (guard pages, vsyscall) are skipped and reported on stderr.
"""
import re
import sys


def scan(pid, needle):
    count = 0
    skipped = 0
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            if not m or m.group(3)[0] != "r":
                continue
            start, end = int(m.group(1), 16), int(m.group(2), 16)
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except (OSError, ValueError, OverflowError):
                skipped += 1
                continue
            count += data.count(needle)
    if skipped:
        print(f"memscan: {skipped} unreadable regions skipped in pid {pid}", file=sys.stderr)
    return count


if __name__ == "__main__":
    print(scan(int(sys.argv[1]), sys.argv[2].encode()))
