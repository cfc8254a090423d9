# SPDX-License-Identifier: Apache-2.0
"""Free loopback ports: bind port 0 and let the kernel choose."""
import socket


def free_port(host="127.0.0.1"):
    """Return a TCP port on HOST that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


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
