"""Cold start: `import app` in fresh processes, and botocore clients a process creates.

    .venv/bin/python -m bench.bench_coldstart

- Import time: `import app` in a fresh interpreter, median of RUNS, today and the legacy tree
  exported by bench_feeds (the same interpreter and site-packages), side by side.
- Clients: a fresh process serving the feed, a post page and a smile through the app (chalice's
  test client over the embedded AWS) counts the botocore clients it created, by service.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench.bench_feeds import ROOT, _export_legacy
from bench.report import Row

SECTION = "Cold start"
RUNS = 7
IMPORT_TARGET_MS = 250

_IMPORT = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"

_CLIENTS = r"""
import collections, json, os, sys
import botocore.session
created = collections.Counter()
original = botocore.session.Session.create_client
def counting(self, service_name, *args, **kwargs):
    created[service_name] += 1
    return original(self, service_name, *args, **kwargs)
botocore.session.Session.create_client = counting
sys.path.insert(0, os.getcwd())
from local.aws_server import EmbeddedAws
server = EmbeddedAws().start()
os.environ.update(AWS_ENDPOINT_URL=server.endpoint, AWS_ACCESS_KEY_ID="testing",
                  AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                  POWERTOOLS_METRICS_DISABLED="true")
from local.provision import provision
stack = provision("infra/template.yaml", endpoint_url=server.endpoint)
os.environ["FLINT_USER_POOL_ID"] = stack.outputs["UserPoolId"]
os.environ["FLINT_USER_POOL_CLIENT_ID"] = stack.outputs["UserPoolClientId"]
created.clear()  # provisioning's own clients aside: from here on, Flint's code (data layer and app)
from local.seed import seed_interests
seed_interests()
from local.bulk import bulk_posts, post_record
from chalicelib import clock
bulk_posts([post_record("author-1", ["hiking"], clock.now_iso())], update_authors=False)
from chalice.test import Client
from app import app
with Client(app, stage_name="dev", project_dir=os.getcwd()) as client:
    feed = client.http.get("/feed").json_body
    post_id = feed["items"][0]["post"]["id"] if feed["items"] else None
    client.http.get("/interests/hiking/posts")
    if post_id:
        client.http.get(f"/posts/{post_id}")
print(json.dumps(dict(created)))
server.stop()
"""


def _import_ms(tree: Path) -> float:
    samples = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT], cwd=tree, capture_output=True, text=True, check=True
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]) * 1000)
    return statistics.median(samples)


def _clients() -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _CLIENTS], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def rows() -> list[Row]:
    legacy = _export_legacy()
    today_ms, legacy_ms = _import_ms(ROOT), _import_ms(legacy)
    clients = _clients()
    return [
        Row(
            SECTION,
            "`import app`, fresh process (median of 7): today / legacy",
            f"{today_ms:.0f} ms / {legacy_ms:.0f} ms (x{legacy_ms / today_ms:.2f} faster)",
            f"<= {IMPORT_TARGET_MS} ms",
            today_ms <= IMPORT_TARGET_MS,
            "absolute time on this machine; the ratio is the comparable figure",
        ),
        Row(
            SECTION,
            "botocore clients Flint's data layer and app create (seed, feed, listing, post; fresh process)",
            ", ".join(f"{service}: {count}" for service, count in sorted(clients.items())) or "none",
            "dynamodb: 1",
            clients.get("dynamodb", 0) == 1,
        ),
    ]


if __name__ == "__main__":
    from bench.report import markdown

    print(markdown(rows()))
