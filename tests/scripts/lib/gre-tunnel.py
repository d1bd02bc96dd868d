#!/usr/bin/env python3
"""A point-to-point GRE tunnel endpoint in user space, for kernels without a GRE module (no gre device type).

usage: gre-tunnel.py TUN LOCAL REMOTE SECONDS

Attaches to the TUN device TUN (made beforehand with `ip tuntap add dev TUN mode tun`; it carries the overlay's
addresses and routes) and to a raw IPv4 socket of protocol 47 bound to the underlay address LOCAL. Each IP packet the
kernel routes into TUN leaves for REMOTE behind a GRE header of RFC 2784 (4 bytes: no checksum, key or sequence number,
version 0, protocol type 0x0800); the kernel writes the outer IPv4 header. Each GRE packet that arrives from REMOTE (the
raw socket reads it with its outer IPv4 header) with that same header and an IPv4 packet inside is written to TUN;
anything else is counted and dropped. A raw socket of the protocol keeps the kernel from answering GRE with ICMP
protocol unreachable, as it would with no handler for protocol 47.

Prints "ready" on standard output once both are open. Ends on SIGTERM or SIGINT, or after SECONDS; writes what it
carried to standard error. Standard library only.
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
IPPROTO_GRE = 47
GRE_HEADER = struct.pack("!HH", 0, 0x0800)  # flags and version 0, protocol type IPv4


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    if len(sys.argv) != 5:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    name, local, remote, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    peer = socket.inet_aton(remote)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: stop.append("SIGINT"))

    tun = open_tun(name)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_GRE)
    raw.bind((local, 0))
    print("ready", flush=True)

    sent = received = dropped = 0
    deadline = time.monotonic() + seconds
    poller = select.poll()
    poller.register(tun, select.POLLIN)
    poller.register(raw.fileno(), select.POLLIN)
    while not stop:
        left = deadline - time.monotonic()
        if left <= 0:
            stop.append("lifetime over")
            break
        try:
            events = poller.poll(min(left, 0.5) * 1000)
        except InterruptedError:
            continue
        for fd, _ in events:
            if fd == tun:
                inner = os.read(tun, 65535)
                # Only IPv4 goes in: the protocol type says 0x0800.
                if len(inner) >= 20 and inner[0] >> 4 == 4:
                    raw.sendto(GRE_HEADER + inner, (remote, 0))
                    sent += 1
                else:
                    dropped += 1
            else:
                packet, _ = raw.recvfrom(65535)
                ihl = (packet[0] & 0x0F) * 4 if packet else 0
                if (len(packet) < ihl + 4 + 20 or packet[0] >> 4 != 4 or packet[9] != IPPROTO_GRE
                        or packet[12:16] != peer or packet[ihl:ihl + 4] != GRE_HEADER):
                    dropped += 1
                    continue
                os.write(tun, packet[ihl + 4:])
                received += 1
    print(f"gre-tunnel {name}: {sent} packets into GRE, {received} out of GRE, {dropped} dropped; "
          f"ended: {stop[0]}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
