"""infra/zipcheck.py refuses a wheel the Lambda runtime cannot load: wrong Python, glibc or machine."""

from __future__ import annotations

import pytest

from infra.deps import RUNTIME_LINUX
from infra.zipcheck import wheel_tag_problems


@pytest.mark.parametrize(
    ("tag", "runtime", "machine", "fits"),
    [
        ("py3-none-any", "python3.13", "x86_64", True),
        ("cp311-cp311-manylinux_2_17_x86_64", "python3.11", "x86_64", True),
        ("cp311-cp311-manylinux2014_aarch64", "python3.11", "aarch64", True),
        ("cp37-abi3-manylinux_2_28_x86_64", "python3.13", "x86_64", True),  # stable ABI, AL2023's glibc
        ("cp311-cp311-manylinux_2_28_x86_64", "python3.11", "x86_64", False),  # AL2 has glibc 2.26
        ("cp313-cp313-manylinux_2_28_x86_64", "python3.11", "x86_64", False),  # another Python
        ("cp311-cp311-manylinux_2_17_aarch64", "python3.11", "x86_64", False),  # another machine
        ("cp311-cp311-musllinux_1_2_x86_64", "python3.11", "x86_64", False),
        ("cp314-abi3-manylinux_2_17_x86_64", "python3.13", "x86_64", False),  # a newer stable ABI
    ],
)
def test_a_wheel_fits_the_runtime_only_if_its_python_glibc_and_machine_do(
    tag: str, runtime: str, machine: str, fits: bool
) -> None:
    assert (wheel_tag_problems(tag, runtime, machine, RUNTIME_LINUX[runtime]) == []) is fits
