"""Ports for stacks started side by side: chosen seconds before a stack binds them, so they must not
be ones the kernel hands to other sockets meanwhile, nor the same twice."""

from __future__ import annotations

import socket
from pathlib import Path

from local.devstack import free_port


def test_ports_are_distinct_bindable_and_below_the_kernels_ephemeral_range() -> None:
    # When a hundred ports are chosen (the 12 of three stacks, many times over)
    ports = [free_port() for _ in range(100)]

    # Then no two are the same, none can go to a socket bound to port 0 meanwhile, and each binds
    assert len(set(ports)) == len(ports)
    ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    assert max(ports) < ephemeral_low
    for port in ports[:5]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
