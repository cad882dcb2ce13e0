"""cfn-lint on packaged templates; a template it passed is not linted again.

    python -m infra.cfnlint [--ignore-checks CHECK ...] -- TEMPLATE ...

`make package-check` lints prod's templates and the packaging tests ask the same of the same
files moments later (~5 CPU s per cfn-lint run). A pass is recorded beside each template
(<template>.cfn-lint: a digest of the template's bytes, cfn-lint's version and the options), so
asking again costs a hash; a changed template, cfn-lint or option set lints again. The templates
not yet passed go to one cfn-lint run; its output and exit status are this command's.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

CFN_LINT = Path(sys.executable).with_name("cfn-lint")


def _digest(template: Path, options: Sequence[str]) -> str:
    version = importlib.metadata.version("cfn-lint")
    inputs = b"\0".join([template.read_bytes(), version.encode(), *(o.encode() for o in options)])
    return hashlib.sha256(inputs).hexdigest()


def _stamp(template: Path) -> Path:
    return template.with_name(template.name + ".cfn-lint")


def _passed(template: Path, options: Sequence[str]) -> bool:
    stamp = _stamp(template)
    return stamp.exists() and stamp.read_text() == _digest(template, options)


def lint(templates: Sequence[str | Path], ignore_checks: Sequence[str] = ()) -> tuple[int, str]:
    """cfn-lint's exit status and output (stdout and stderr) for the templates not yet passed with
    these options; (0, "") when every one has."""
    options = ["--ignore-checks", *ignore_checks] if ignore_checks else []
    pending = [Path(t) for t in templates if not _passed(Path(t), options)]
    if not pending:
        return 0, ""
    run = subprocess.run([str(CFN_LINT), *options, "--", *map(str, pending)], capture_output=True, text=True)
    output = run.stdout + run.stderr
    if run.returncode == 0 and not output:
        for template in pending:
            _stamp(template).write_text(_digest(template, options))
    return run.returncode, output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ignore-checks", nargs="+", default=[], metavar="CHECK")
    parser.add_argument("templates", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status, output = lint(args.templates, args.ignore_checks)
    print(output, end="")
    return status


if __name__ == "__main__":
    sys.exit(main())
