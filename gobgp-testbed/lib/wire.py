#!/usr/bin/env python3
"""Userspace "netem" for kernels without sch_netem: a wire between two TAP devices.

    wire.py CTL_NS_FILE HOST_NS_FILE PORT_NAME CONF_FILE

Creates TAP PORT_NAME in the controller namespace (a bridge port, attached by up.sh) and TAP eth0 in the host
namespace (setns via libc), then copies Ethernet frames between them. Impairments per direction from CONF_FILE
("key value" lines: delay_ms, jitter_ms, loss_pct, reorder_pct, dup_pct), re-read on SIGUSR1:
  - delay: every frame waits delay_ms ± uniform jitter_ms (frames may overtake each other with jitter, like netem)
  - reorder_pct: that share of frames skips the delay (netem "reorder": sent at once, overtaking delayed ones)
  - loss_pct / dup_pct: random drop / duplicate
TAPs carry no offloads, so the kernel segments and checksums every frame before handing it over (frames are
complete and at most MTU-sized). The TAPs exist while this process runs: killing it is a link cut.
Prints "ready" on stdout when both TAPs exist.
"""
import ctypes, fcntl, heapq, itertools, os, random, select, signal, struct, sys, time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


ctl_ns, host_ns, port, conf_file = sys.argv[1:5]
orig = os.open("/proc/self/ns/net", os.O_RDONLY)
setns(ctl_ns)
a = tap(port)  # device is created in the namespace current at open() time
setns(host_ns)
b = tap("eth0")
libc.setns(orig, CLONE_NEWNET)
os.close(orig)

conf = {}


def load(*_):
    c = {"delay_ms": 0.0, "jitter_ms": 0.0, "loss_pct": 0.0, "reorder_pct": 0.0, "dup_pct": 0.0}
    try:
        with open(conf_file) as f:
            for line in f:
                k, _, v = line.strip().partition(" ")
                if k in c and v:
                    c[k] = float(v)
    except FileNotFoundError:
        pass
    conf.clear()
    conf.update(c)


load()
signal.signal(signal.SIGUSR1, load)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("ready", flush=True)

seq = itertools.count()
queue = []  # (due, seq, out_fd, frame)
stats = {"in": 0, "out": 0, "lost": 0}


def enqueue(out_fd, frame, now):
    c = conf
    if c["loss_pct"] and random.random() * 100 < c["loss_pct"]:
        stats["lost"] += 1
        return
    copies = 2 if c["dup_pct"] and random.random() * 100 < c["dup_pct"] else 1
    for _ in range(copies):
        d = c["delay_ms"]
        if d and c["reorder_pct"] and random.random() * 100 < c["reorder_pct"]:
            d = 0.0
        elif d and c["jitter_ms"]:
            d = max(0.0, d + random.uniform(-c["jitter_ms"], c["jitter_ms"]))
        if d == 0 and not queue:
            write(out_fd, frame)
        else:
            heapq.heappush(queue, (now + d / 1000.0, next(seq), out_fd, frame))


def write(fd, frame):
    try:
        os.write(fd, frame)
        stats["out"] += 1
    except OSError:
        pass  # the other side is down (EIO): the frame is lost, as on a dead link


peer = {a: b, b: a}
while True:
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, _, fd, frame = heapq.heappop(queue)
        write(fd, frame)
    timeout = max(0.0, queue[0][0] - now) if queue else None
    try:
        ready, _, _ = select.select([a, b], [], [], timeout)
    except InterruptedError:
        continue
    now = time.monotonic()
    for fd in ready:
        for _ in range(64):
            try:
                frame = os.read(fd, 65536)
            except (BlockingIOError, OSError):
                break
            stats["in"] += 1
            enqueue(peer[fd], frame, now)
