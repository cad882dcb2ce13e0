"""`make bench`: every benchmark in one run, printing ratios measured side by side (never absolute times)."""

from __future__ import annotations

import sys

from bench import bench_imaging


def main() -> None:
    print("## Thumbnailer: shrink-on-load + cascaded resizes vs naive full decode", flush=True)
    sys.argv = [sys.argv[0]]
    bench_imaging.main()


if __name__ == "__main__":
    main()
