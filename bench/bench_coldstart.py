"""Cold start: `import app` in fresh processes, and botocore clients a process creates.

    .venv/bin/python -m bench.bench_coldstart

- Import time: `import app` in a fresh interpreter, median of RUNS (wall and CPU time), today, the
  design before issue 19 and the first design (trees exported by bench_feeds; the same interpreter
  and site-packages), interleaved so a busy machine slows them alike; and what `python -X
  importtime` attributes to the heaviest packages, before and after. Twice: with the app's own
  code (app.py, chalicelib/) compiled from source in the timed process, as in Lambda, whose
  read-only /var/task gets the dependencies' bytecode but not the app's (infra/package.py); and
  from bytecode compiled beforehand. Judged on CPU time: on a shared machine wall time follows
  the load, and an import is one thread, so on an idle one wall is about CPU.
- Clients: a fresh process serving the feed, a post page and a smile through the app (chalice's
  test client over the embedded AWS) counts the botocore clients it created, by service.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.bench_feeds import FIRST_COMMIT, PREVIOUS_COMMIT, ROOT, export
from bench.report import Row

SECTION = "Cold start"
RUNS = 7
IMPORT_TARGET_MS = 250

_IMPORT = (
    "import time; t, c = time.perf_counter(), time.process_time(); import app; "
    "print(time.perf_counter() - t, time.process_time() - c)"
)
# The tree's own modules compiled from source (any __pycache__ ignored), libraries from bytecode.
_FROM_SOURCE = """
import os, sys
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader
class SourceOnly(SourceFileLoader):
    def get_code(self, fullname):
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)
root = os.getcwd()
lib = os.path.join(root, "chalicelib")
def hook(path):
    if path in ("", root, lib) or path.startswith(lib + os.sep):
        return FileFinder(path, (SourceOnly, SOURCE_SUFFIXES))
    raise ImportError
sys.path_hooks.insert(0, hook)
sys.path_importer_cache.clear()
"""
MODES = {"source": _FROM_SOURCE + _IMPORT, "bytecode": _IMPORT}

# What a function's first invocation imports besides app.py (each tree imports what it has): the
# cold start a caller waits for is `import app` plus these, wherever the design puts them.
FIRST_INVOCATION = {
    "API, a member's GET /feed": (
        "jwt chalicelib.auth chalicelib.services.members chalicelib.services.receipts "
        "chalicelib.schemas.common chalicelib.schemas.catalog chalicelib.schemas.feeds "
        "chalicelib.services.feeds"
    ),
    "authorizer, a first token": "jwt chalicelib.auth chalicelib.services.members",
    "feed worker, a first batch": "chalicelib.handlers.feeds",
}
_FIRST_INVOCATION = """
import importlib, time
c = time.process_time()
import app
observability = importlib.import_module("chalicelib.observability")
observability.logger, observability.metrics
for name in {modules!r}.split():
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        pass  # a module this tree does not have
print(time.process_time() - c)
"""
# Packages whose share of `import app` (-X importtime, cumulative) the row reports.
HEAVY = ("pydantic_settings", "boto3", "pydantic", "pynamodb", "botocore", "aws_lambda_powertools", "chalice")

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
from chalicelib import clock, ids
from chalicelib.data import posts, users
users.upsert_activity("author-1", "Author", clock.now_iso())
posts.create_post(posts.PostRecord(post_id=ids.new_id("post"), author_id="author-1", kind="idea",
    caption="c", body="b", interests=["hiking"], photos=[], created_at=clock.now_iso()))
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


def _deployed_environment(tree: Path) -> dict[str, str]:
    """The process environment plus what `.chalice/config.json` gives every function in AWS."""
    config = json.loads((tree / ".chalice" / "config.json").read_text())
    return {**os.environ, **{k: str(v) for k, v in config.get("environment_variables", {}).items()}}


def _import_once(tree: Path, mode: str) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", MODES[mode]],
        cwd=tree,
        env=_deployed_environment(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall) * 1000, float(cpu) * 1000


def _compile(tree: Path) -> None:
    """The app's own bytecode, as a package that ships it would hold."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app.py", "chalicelib"], cwd=tree, check=True)


def _import_ms(trees: dict[str, Path]) -> dict[tuple[str, str], tuple[float, float]]:
    """Median wall and CPU ms of `import app` per (tree, mode), interleaved run by run."""
    for tree in trees.values():
        _compile(tree)
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {
        (name, mode): [] for name in trees for mode in MODES
    }
    for _ in range(RUNS):
        for name, tree in trees.items():
            for mode in MODES:
                samples[name, mode].append(_import_once(tree, mode))
    return {
        key: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for key, runs in samples.items()
    }


def _first_invocation_ms(trees: dict[str, Path], runs: int = 5) -> dict[tuple[str, str, str], float]:
    """Median CPU ms of `import app` plus a first invocation's imports, per (function, tree, mode)."""
    samples: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(runs):
        for function, modules in FIRST_INVOCATION.items():
            for name, tree in trees.items():
                for mode in ("source", "bytecode"):
                    code = (_FROM_SOURCE if mode == "source" else "") + _FIRST_INVOCATION.format(
                        modules=modules
                    )
                    out = subprocess.run(
                        [sys.executable, "-c", code],
                        cwd=tree,
                        env=_deployed_environment(tree),
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    cpu = float(out.stdout.strip().splitlines()[-1]) * 1000
                    samples.setdefault((function, name, mode), []).append(cpu)
    return {key: statistics.median(values) for key, values in samples.items()}


def _import_shares(tree: Path) -> dict[str, float]:
    """Each HEAVY package's share of `import app` (cumulative -X importtime of its top import)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import app"],
        cwd=tree,
        env=_deployed_environment(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, _, cumulative, name = (part.strip() for part in line.replace("import time:", "|").split("|"))
        rows.append((name, int(cumulative)))
    total = next(c for n, c in reversed(rows) if n == "app")
    shares: dict[str, float] = {}
    for package in HEAVY:
        shares[package] = max((c for n, c in rows if n == package), default=0) / total
    return shares


def _clients() -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _CLIENTS], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def rows() -> list[Row]:
    trees = {"today": ROOT, "previous": export(PREVIOUS_COMMIT), "first": export(FIRST_COMMIT)}
    timed = _import_ms(trees)
    first_calls = _first_invocation_ms({"today": ROOT, "previous": trees["previous"]})
    before, after = _import_shares(trees["previous"]), _import_shares(ROOT)
    clients = _clients()
    shares = ", ".join(
        f"{p} {before[p]:.0%} -> {after[p]:.0%}" for p in HEAVY if before[p] >= 0.02 or after[p] >= 0.02
    )
    import_rows = []
    for mode, how in (
        ("source", "app code compiled in the process, as in Lambda today"),
        ("bytecode", "app code from bytecode"),
    ):
        (today_wall, today_cpu), (previous_wall, previous_cpu), (first_wall, first_cpu) = (
            timed[name, mode] for name in ("today", "previous", "first")
        )
        import_rows.append(
            Row(
                SECTION,
                f"`import app`, fresh process, {how} (median of {RUNS}, interleaved): "
                "today / before issue 19 / first",
                f"CPU {today_cpu:.0f} / {previous_cpu:.0f} / {first_cpu:.0f} ms "
                f"(x{previous_cpu / today_cpu:.1f} less than before issue 19)",
                f"<= {IMPORT_TARGET_MS} ms" if mode == "source" else "",
                today_cpu <= IMPORT_TARGET_MS if mode == "source" else None,
                f"wall {today_wall:.0f} / {previous_wall:.0f} / {first_wall:.0f} ms at this machine's load; "
                "an import is one thread: CPU is what an idle machine's wall would be",
            )
        )
    for function in FIRST_INVOCATION:
        today_bytecode, today_source, previous_source = (
            first_calls[function, "today", "bytecode"],
            first_calls[function, "today", "source"],
            first_calls[function, "previous", "source"],
        )
        import_rows.append(
            Row(
                SECTION,
                f"`import app` + what the first invocation imports, {function}: today as packaged "
                "(app bytecode) / today from source / before issue 19 as packaged then (from source)",
                f"CPU {today_bytecode:.0f} / {today_source:.0f} / {previous_source:.0f} ms "
                f"(x{previous_source / today_bytecode:.1f} less)",
                "",
                None,
                "median of 5; botocore, PynamoDB and pydantic load on the request path that needs them",
            )
        )
    return [
        *import_rows,
        Row(
            SECTION,
            "Share of `import app` (-X importtime, cumulative), before issue 19 -> today",
            shares,
            "",
            None,
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
