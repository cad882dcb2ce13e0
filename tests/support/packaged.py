"""The packaged template (build/package/<stage>-<arch>/sam.json), built or reused by infra/package.py."""

from __future__ import annotations

import json
from typing import Any

from infra.package import build


def packaged_template(stage: str = "prod", arch: str = "x86_64") -> dict[str, Any]:
    report = build(stage, [arch])[arch]
    with open(report["template"]) as handle:
        template: dict[str, Any] = json.load(handle)
    return template
