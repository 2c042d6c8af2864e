#!/usr/bin/python3
# dumpable.py PID: is PID dumpable? Run as root. Takes on PID's uid and gid, keeps every
# capability permitted but CAP_SYS_PTRACE out of the effective set, then tries
# process_vm_readv on it. The kernel lets a same-uid caller without CAP_SYS_PTRACE in only if
# the target is dumpable (ptrace_may_access), so: EFAULT or data (the bad address came after
# the access check) = dumpable, exit 0; EPERM = not dumpable, exit 1; anything else, exit 2.
import ctypes
import os
import sys

CAP_SYS_PTRACE = 19
PR_SET_KEEPCAPS = 8
SYS_CAPGET = 125        # x86_64
SYS_CAPSET = 126


class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def main():
    pid = int(sys.argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    uid = gid = None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                uid = int(line.split()[1])
            if line.startswith("Gid:"):
                gid = int(line.split()[1])
    if uid is None or gid is None:
        return 2
    if libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0:
        return 2
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    # every permitted capability effective again, but CAP_SYS_PTRACE
    hdr = Header(0x20080522, 0)
    data = (Data * 2)()
    if libc.syscall(SYS_CAPGET, ctypes.byref(hdr), data) != 0:
        return 2
    data[0].effective = data[0].permitted & ~(1 << CAP_SYS_PTRACE)
    data[1].effective = data[1].permitted
    if libc.syscall(SYS_CAPSET, ctypes.byref(hdr), data) != 0:
        return 2
    buf = ctypes.create_string_buffer(1)
    local = Iovec(ctypes.cast(buf, ctypes.c_void_p), 1)
    remote = Iovec(ctypes.c_void_p(0x1000), 1)
    libc.process_vm_readv.restype = ctypes.c_ssize_t
    r = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    err = ctypes.get_errno()
    if r >= 0 or err == 14:     # EFAULT: the access check passed
        return 0
    if err == 1:                # EPERM
        return 1
    print("process_vm_readv: %s" % os.strerror(err), file=sys.stderr)
    return 2


sys.exit(main())
