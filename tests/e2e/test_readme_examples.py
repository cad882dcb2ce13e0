"""The README's shell examples are a test: every ```sh block of "Using the API", run in order
as one bash script against the local stack, each curl failing on an HTTP error."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import PROJECT_DIR, LocalStack
from tests.support.images import jpeg

pytestmark = pytest.mark.e2e


def readme_api_examples() -> list[str]:
    text = (PROJECT_DIR / "README.md").read_text()
    section = text[text.index("## Using the API") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_has_sign_in_upload_post_and_comment_examples() -> None:
    script = "\n".join(readme_api_examples())
    for needed in ("initiate_auth", "/uploads", "/posts", "/comments", "/smile"):
        assert needed in script, needed


@pytest.mark.timeout(300)
def test_the_readme_shell_examples_run_against_the_local_stack(
    local_stack: LocalStack, tmp_path: Path
) -> None:
    # Given the README's examples, a photo to upload, and curl that fails on HTTP errors
    (tmp_path / "photo.jpg").write_bytes(jpeg(800, 600))
    script = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n' + "\n".join(
        readme_api_examples()
    )
    env = {
        **os.environ,
        "API": local_stack.api,
        # `python3` in the examples: this interpreter, which has boto3
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    # When they run
    run = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
    )
    # Then every command succeeded, and the last ones deleted the comment and the post
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.stdout.rstrip().endswith("204")
    assert '"smiled":true' in run.stdout.replace(" ", "")
