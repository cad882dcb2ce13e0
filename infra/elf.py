"""Just enough ELF reading to tell whether a shared library will load on Lambda.

For each `.so` in a deployment zip: the machine it was built for, the libraries it
needs (DT_NEEDED) and the symbol versions it needs from them (GLIBC_2.17, GLIBCXX_3.4.19...).
Pure Python, so the packaging check needs no binutils on the machine that runs it.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

MACHINES = {62: "x86_64", 183: "aarch64"}
_SHT_DYNAMIC = 6
_SHT_GNU_VERNEED = 0x6FFFFFFE
_DT_NEEDED = 1
_VERSION = re.compile(r"^([A-Z]+)_(\d+(?:\.\d+)*)$")


class NotElf(ValueError):
    pass


@dataclass(frozen=True)
class SharedObject:
    machine: str
    needed: tuple[str, ...]
    # library -> version family -> newest version needed, e.g. {"libc.so.6": {"GLIBC": (2, 17)}}
    versions: dict[str, dict[str, tuple[int, ...]]]


def read(data: bytes) -> SharedObject:
    if data[:4] != b"\x7fELF":
        raise NotElf("not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise NotElf("only 64-bit little-endian ELF is expected on Lambda")
    (machine,) = struct.unpack_from("<H", data, 18)
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + index * shentsize) for index in range(shnum)]

    def string(section_index: int, offset: int) -> str:
        start = sections[section_index][4] + offset
        return data[start : data.index(b"\0", start)].decode()

    needed: list[str] = []
    versions: dict[str, dict[str, tuple[int, ...]]] = {}
    for _name, kind, _flags, _addr, offset, size, link, info, _align, _entsize in sections:
        if kind == _SHT_DYNAMIC:
            for position in range(offset, offset + size, 16):
                tag, value = struct.unpack_from("<qQ", data, position)
                if tag == _DT_NEEDED:
                    needed.append(string(link, value))
        elif kind == _SHT_GNU_VERNEED:
            position = offset
            for _ in range(info):  # Verneed entries
                _version, count, library_name, aux, next_need = struct.unpack_from("<HHIII", data, position)
                library = versions.setdefault(string(link, library_name), {})
                aux_position = position + aux
                for _ in range(count):  # Vernaux entries
                    _hash, _flags2, _other, name, next_aux = struct.unpack_from("<IHHII", data, aux_position)
                    match = _VERSION.match(string(link, name))
                    if match:
                        family, number = match.group(1), tuple(int(n) for n in match.group(2).split("."))
                        library[family] = max(library.get(family, number), number)
                    aux_position += next_aux
                position += next_need
    return SharedObject(MACHINES.get(machine, f"machine-{machine}"), tuple(needed), versions)
