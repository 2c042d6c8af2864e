#!/usr/bin/env python3
"""Count occurrences of a byte string in a live process's resident memory.

usage: memscan.py PID NEEDLE   -> prints the count
       memscan.py PID hex:HEX     (binary needles, e.g. a slice of a private key's DER)
Reads /proc/PID/maps, /proc/PID/pagemap and /proc/PID/mem (root). Only pages that are present
in RAM are read: that is where a secret can be, and it keeps huge sparse mappings (the
AddressSanitizer shadow and allocator reservations) cheap to scan. Regions that cannot be read
(guard pages, vsyscall) are skipped and counted on stderr.
"""
import re
import struct
import sys

PAGE = 4096
CHUNK = 1 << 20


def present_runs(pagemap, start, end):
    """Yield (addr, length) runs of pages present in RAM (pagemap bit 63)."""
    npages = (end - start) // PAGE
    first = start // PAGE
    run_start = None
    done = 0
    while done < npages:
        batch = min(npages - done, CHUNK // 8)
        pagemap.seek((first + done) * 8)
        data = pagemap.read(batch * 8)
        if len(data) < batch * 8:
            break
        for i, (entry,) in enumerate(struct.iter_unpack("<Q", data)):
            addr = start + (done + i) * PAGE
            if entry >> 63:
                if run_start is None:
                    run_start = addr
            elif run_start is not None:
                yield run_start, addr - run_start
                run_start = None
        done += batch
    if run_start is not None:
        yield run_start, start + done * PAGE - run_start


def scan(pid, needle):
    count = skipped = 0
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem, \
            open(f"/proc/{pid}/pagemap", "rb", 0) as pagemap:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            if not m or m.group(3)[0] != "r":
                continue
            start, end = int(m.group(1), 16), int(m.group(2), 16)
            if end - start > (1 << 36):
                # > 64 GiB: sanitizer shadow reservations, not where data lives
                skipped += 1
                continue
            tail = b""
            for addr, length in present_runs(pagemap, start, end):
                off = 0
                while off < length:
                    n = min(CHUNK, length - off)
                    try:
                        mem.seek(addr + off)
                        data = mem.read(n)
                    except OSError:
                        skipped += 1
                        break
                    buf = tail + data
                    count += buf.count(needle)
                    # keep the last len(needle)-1 bytes to catch a match across chunks
                    keep = len(needle) - 1
                    tail = buf[-keep:] if keep else b""
                    off += n
                tail = b""
    if skipped:
        print(f"memscan: {skipped} regions skipped in pid {pid}", file=sys.stderr)
    return count


if __name__ == "__main__":
    arg = sys.argv[2]
    needle = bytes.fromhex(arg[4:]) if arg.startswith("hex:") else arg.encode()
    print(scan(int(sys.argv[1]), needle))
