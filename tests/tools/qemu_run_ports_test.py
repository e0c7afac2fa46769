#!/usr/bin/env python3
"""tools/qemu_run.py's host-port check: a port with a listener is refused, a port whose only
sockets are in TIME_WAIT (left by an earlier load test) is free, as it is for QEMU's hostfwd."""
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import qemu_run  # noqa: E402


def listener():
    """A listener as QEMU's hostfwd makes one: with SO_REUSEADDR, which the connections it
    accepts inherit (Linux lets a new bind share a TIME_WAIT port only when both set it)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    return s


class PortCheck(unittest.TestCase):
    def test_listening_port_is_taken(self):
        s = listener()
        try:
            with self.assertRaises(qemu_run.NetError) as caught:
                qemu_run.check_port_free(s.getsockname()[1])
            self.assertIn("already in use", str(caught.exception))
        finally:
            s.close()

    def test_time_wait_port_is_free(self):
        s = listener()
        port = s.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = s.accept()
        accepted.close()  # the server side closes first: its end, on `port`, waits in TIME_WAIT
        client.recv(1)
        client.close()
        s.close()
        plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            with self.assertRaises(OSError):  # what the check did before: a false "in use"
                plain.bind(("127.0.0.1", port))
        finally:
            plain.close()
        qemu_run.check_port_free(port)


if __name__ == "__main__":
    unittest.main()
