# SPDX-License-Identifier: Apache-2.0
"""Free loopback ports, chosen outside the kernel's ephemeral range.

A test picks its ports when pytest collects it and binds them much later
(httpd restarts, a second Listen, a port meant to stay dead). A port from
bind(("", 0)) comes out of the ephemeral range, and the kernel may hand it
meanwhile to any outgoing connection as its local port; httpd's bind then
fails with "Address already in use" (CI saw that once, for test_276). The
kernel never picks a local port outside that range by itself, so a port
there stays free until someone binds it on purpose."""
import os
import socket


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999          # Linux's default


def _outside_ephemeral():
    """Ports outside the ephemeral range, each once, from a start that
    differs per process so two test runs at once seldom try the same."""
    low, high = _ephemeral_range()
    ports = list(range(max(low - 20000, 10000), low)) + \
        list(range(high + 1, 65536))
    start = (os.getpid() * 7919) % len(ports) if ports else 0
    return iter(ports[start:] + ports[:start])


_unused = _outside_ephemeral()


def _bind(host, port):
    """The port HOST:PORT binds to (PORT 0: the kernel's choice), or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return None
        return s.getsockname()[1]


def free_port(host="127.0.0.1"):
    """Return a TCP port on HOST that nothing listens on right now, that
    this process has not handed out before, and that the kernel will not
    give to an outgoing connection."""
    for port in _unused:
        if _bind(host, port):
            return port
    return _bind(host, 0)            # no room outside: the old way


def wait_listening(port, host="127.0.0.1", timeout=10.0, alive=None):
    """Wait until something accepts connections on HOST:PORT.

    ALIVE, when given, is called between attempts and must return False once
    the process that should listen is gone (so a crash fails fast)."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            if alive is not None and not alive():
                return False
            time.sleep(0.05)
    return False


class Blackhole:
    """A loopback port where connect() hangs: a listener with a backlog of
    0 that never accepts, its queue already filled, so the kernel drops
    further SYNs (how a firewalled or overloaded host looks)."""

    def __init__(self, host="127.0.0.1", port=0):
        """HOST and PORT: another loopback address (127.0.0.2) and a port
        something else listens on at 127.0.0.1, for a name whose first
        address hangs while its second answers."""
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, port))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.fill = []
        for _ in range(3):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect((host, self.port))
            except BlockingIOError:
                pass
            self.fill.append(c)

    def close(self):
        for c in self.fill:
            c.close()
        self.sock.close()
