"""Feeds and the whole stack, per 1 million weekly members: three designs measured in one run.

    .venv/bin/python -m bench.bench_feeds [--members 600] [--sample 4] [--planner-windows 10000 100000]
                                            [--reuse]

1. Designs: the first (git FIRST_COMMIT: every member seen in 7 days refreshed every 5 minutes),
   the previous (git PREVIOUS_COMMIT, issue 10: refresh where it is read, a 60-minute active tier,
   the planner re-ranking the window) and today's (this checkout). The older two are exported from
   git to build/; each probe (bench/feed_cost_probe.py) runs in a fresh process inside its tree,
   on its own embedded AWS, billed by the same meter (bench/capacity.py).
2. Activity traces (bench/traces.py): four engagement levels (0.47 to 0.94 of weekly members
   active on a day), plus issue 10's 0.34; each design's refresh policy applied to them.
3. The cost model (bench/cost_model.py): every AWS service per 1M weekly members a month, at 15
   and 150 follows, prices from bench/prices.py.

Heavy runs are parameters: `--planner-windows 10000 1000000` measures the planner with a million
posts in the window (about an hour and several GB of memory for the embedded AWS).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import cost_model, prices, traces
from bench.report import Row

ROOT = Path(__file__).resolve().parents[1]
FIRST_COMMIT = "c1de21b7a49528e906a3e0dab045b8850ee16057"  # main before issue 10's feed work
PREVIOUS_COMMIT = "731b484e3d583e89172daeba4df37228fada8fff"  # main before issue 19
SECTION = "Feeds"
STACK = "Whole stack"
FOLLOWS = (15, 150)
FANIN_FOLLOWS = 1000
HEADLINE_TRACE = "0.47 daily"
LAMBDA_FEED_WORKER_CONCURRENCY = 30  # infra/lambda.yaml QueueConsumers.feed_worker
TREES = {"first": FIRST_COMMIT, "previous": PREVIOUS_COMMIT}


def export(commit: str) -> Path:
    """The tree of `commit` under build/bench-<short>, exported once (git archive)."""
    tree = ROOT / "build" / f"bench-{commit[:7]}"
    marker = tree / ".commit"
    if marker.exists() and marker.read_text().strip() == commit:
        return tree
    tree.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    marker.write_text(commit)
    return tree


def _export_legacy() -> Path:
    """The first design's tree (bench_coldstart compares `import app` against it)."""
    return export(FIRST_COMMIT)


def _saved(tree: Path, args: tuple[str, ...]) -> Path:
    return ROOT / "build" / ("-".join([tree.name, *(a.lstrip("-") for a in args)]) + ".json")


def probe(tree: Path, *args: str, reuse: bool = False, script: str = "feed_cost_probe.py") -> dict[str, Any]:
    """One probe in a fresh process; with `reuse`, what an earlier run saved for the same arguments."""
    saved = _saved(tree, (script.removesuffix(".py"), *args) if script != "feed_cost_probe.py" else args)
    if reuse and saved.exists():
        return dict(json.loads(saved.read_text()))
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--tree", str(tree), *args],
        capture_output=True,
        text=True,
        timeout=4 * 3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"probe {tree.name} {args} failed:\n{result.stderr[-3000:]}")
    measured = dict(json.loads(result.stdout.strip().splitlines()[-1]))
    # Kept as each probe ends: a long run that fails later still leaves what it measured.
    saved.write_text(json.dumps(measured))
    return measured


def measure(members: int, sample: int, windows: list[int], reuse: bool = False) -> dict[str, Any]:
    trees = {name: export(commit) for name, commit in TREES.items()}
    trees["today"] = ROOT
    common = ["--members", str(members), "--sample", str(sample)]
    jobs: dict[tuple[str, ...], tuple[Path, list[str]]] = {}
    for follows in FOLLOWS:
        for design in ("first", "previous", "today"):
            if design == "first" and follows != FOLLOWS[0]:
                continue
            jobs[("feeds", design, str(follows))] = (
                trees[design],
                ["--mode", "feeds", *common, "--follows", str(follows)],
            )
    fanin_members = str(max(members, FANIN_FOLLOWS + 200))
    jobs[("feeds", "today", str(FANIN_FOLLOWS))] = (
        ROOT,
        [
            "--mode",
            "feeds",
            "--members",
            fanin_members,
            "--sample",
            str(sample),
            "--follows",
            str(FANIN_FOLLOWS),
        ],
    )
    for window in windows:
        jobs[("planner", str(window))] = (ROOT, ["--mode", "planner", "--window", str(window)])
    for design in ("previous", "today"):
        jobs[("ops", design)] = (trees[design], ["--mode", "ops"])
        # The engagement pipeline as SQS delivers it at a million members (cost_model.py
        # ENGAGEMENT_DELIVERY): the same probe and delivery for both designs.
        jobs[("engagement", design)] = (trees[design], list(cost_model.ENGAGEMENT_DELIVERY))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            key: pool.submit(
                probe,
                tree,
                *args,
                reuse=reuse,
                script="engagement_probe.py" if key[0] == "engagement" else "feed_cost_probe.py",
            )
            for key, (tree, args) in jobs.items()
        }
        simulated = traces.all_traces()
        images = _images(reuse)
        measured = {key: future.result() for key, future in futures.items()}
    return {"probes": measured, "traces": simulated, "windows": windows, "images": images}


IMAGE_PHOTOS = 12


def _images(reuse: bool) -> dict[str, Any]:
    """The renditions' bytes on the demo's photos (bench/image_bytes.py), in this process."""
    from bench import image_bytes

    saved = ROOT / "build" / f"image-bytes-{IMAGE_PHOTOS}.json"
    if reuse and saved.exists():
        return dict(json.loads(saved.read_text()))
    measured = image_bytes.measure(IMAGE_PHOTOS)
    saved.write_text(json.dumps(measured))
    return measured


def _fmt_refresh(cost: dict[str, Any]) -> str:
    return f"{cost['requests']:.0f} req, {cost['read_units']:.1f} RU, {cost['write_units']:.1f} WU"


def rows_from(measured: dict[str, Any]) -> list[Row]:
    probes, simulated = measured["probes"], measured["traces"]
    feeds = {(k[1], int(k[2])): v for k, v in probes.items() if k[0] == "feeds"}
    planners = {int(k[1]): v for k, v in probes.items() if k[0] == "planner"}
    ops = {k[1]: v for k, v in probes.items() if k[0] == "ops"}
    for design, measured_engagement in ((k[1], v) for k, v in probes.items() if k[0] == "engagement"):
        ops[design] = {**ops[design], "engagement": measured_engagement}
    planner_today = planners[max(planners)]
    images = measured["images"]
    table: list[Row] = []
    for trace in simulated:
        table.append(
            Row(
                SECTION,
                f"Trace {trace.name}: activity; refreshes per weekly member a day (first / previous / today)",
                f"{trace.active_today:.0%} active a day, {trace.sessions_per_active_day:.1f} sessions of "
                f"{trace.session_minutes:.1f} min; refreshes {trace.refreshes['first']:.0f} / "
                f"{trace.refreshes['previous']:.1f} / {trace.refreshes['today']:.1f}",
                "",
                None,
                f"today: {trace.incremental_share(75)[0]:.0%} / {trace.incremental_share(750)[0]:.0%} "
                f"incremental at 15 / 150 follows, {trace.tick_share:.0%} queued by the planner",
            )
        )
    low, high = feeds[("today", 15)], feeds[("today", FANIN_FOLLOWS)]
    mid = feeds[("today", 150)]
    flat = high["changed"]["read_units"] / low["changed"]["read_units"]
    table += [
        Row(
            SECTION,
            "Per refresh with news, today, at 15 / 150 / 1,000 follows",
            " / ".join(_fmt_refresh(feeds[("today", f)]["changed"]) for f in (15, 150, FANIN_FOLLOWS)),
            "<= 6 requests at 150 follows",
            mid["changed"]["requests"] <= 6,
            "no news: "
            + _fmt_refresh(mid["unchanged"])
            + "; a member's first (or after a follow change / an hour away): "
            + " / ".join(_fmt_refresh(feeds[("today", f)]["first"]) for f in (15, 150, FANIN_FOLLOWS)),
        ),
        Row(
            SECTION,
            "Read units per refresh with news, 15 -> 1,000 follows (today)",
            f"{low['changed']['read_units']:.1f} -> {high['changed']['read_units']:.1f} (x{flat:.2f})",
            "flat (<= x1.2)",
            flat <= 1.2,
        ),
        Row(
            SECTION,
            "Per refresh with news at 15 / 150 follows, first / previous design",
            f"first {_fmt_refresh(feeds[('first', 15)]['changed'])}; previous "
            f"{_fmt_refresh(feeds[('previous', 15)]['changed'])} / "
            f"{_fmt_refresh(feeds[('previous', 150)]['changed'])}",
            "",
            None,
        ),
    ]
    # the feed's own DynamoDB cost vs the first design (issue 10's metric), every trace
    for follows in FOLLOWS:
        ratios = []
        for trace in simulated:
            first = cost_model.feed_cost_per_member_day("first", trace, feeds[("first", 15)], None)
            today = cost_model.feed_cost_per_member_day(
                "today", trace, feeds[("today", follows)], planner_today
            )
            ratios.append((trace.name, first / today, today))
        table.append(
            Row(
                SECTION,
                f"Feed DynamoDB cost per weekly member, first design / today, {follows} follows",
                ", ".join(f"{name}: x{ratio:.0f}" for name, ratio, _ in ratios),
                ">= 50x on every trace",
                all(r >= 50 for _, r, _ in ratios),
                f"today ${ratios[0][2] * 1e3:.4f} per 1,000 members a day on {ratios[0][0]}; "
                "the first design at 15 follows",
            )
        )
    # the planner: flat in the window, seconds of CPU
    small, large = planners[min(planners)], planners[max(planners)]
    cpu_ratio = large["run"]["cpu_ms"] / small["run"]["cpu_ms"]
    read_ratio = large["run"]["read_units"] / small["run"]["read_units"]
    table += [
        Row(
            SECTION,
            f"Planner run at a 1M-member change rate ({large['changes']:,} changes), "
            f"{min(planners):,} -> {max(planners):,} posts in the window: CPU, read units",
            f"{small['run']['cpu_ms']:.0f} -> {large['run']['cpu_ms']:.0f} ms (x{cpu_ratio:.2f}); "
            f"{small['run']['read_units']:.0f} -> {large['run']['read_units']:.0f} RU (x{read_ratio:.2f})",
            "flat (<= x1.2), <= 5 s CPU",
            cpu_ratio <= 1.2 and read_ratio <= 1.2 and large["run"]["cpu_ms"] <= 5000,
            f"{large['run']['requests']:.0f} requests, {large['run']['write_units']:.0f} WU a run; "
            f"previous design at 1,000 members: {feeds[('previous', 15)]['planner']['cpu_ms']:.0f} ms, "
            f"{feeds[('previous', 15)]['planner']['read_units']:.0f} RU (grows with the window)",
        ),
    ]
    # throughput: refresh time per member and what the worker's concurrency serves
    refresh = mid["changed"]
    seconds = cost_model.lambda_seconds(
        refresh["cpu_ms"], refresh["requests"], cost_model.MEMORY_MB["feed_worker"]
    )
    per_second = LAMBDA_FEED_WORKER_CONCURRENCY / seconds
    table.append(
        Row(
            SECTION,
            "Refresh time per member (150 follows) and refreshes a second at the worker's concurrency",
            f"{refresh['cpu_ms']:.0f} ms CPU here -> ~{seconds * 1000:.0f} ms on a 512 MB Lambda; "
            f"{LAMBDA_FEED_WORKER_CONCURRENCY} concurrent batches -> ~{per_second:.0f} refreshes/s",
            ">= 100 refreshes/s",
            per_second >= 100,
            "Lambda duration = CPU / 0.29 vCPU + 6 ms per DynamoDB request (bench/cost_model.py)",
        )
    )
    # the whole stack
    headline: dict[str, cost_model.Lines] = {}
    for follows in FOLLOWS:
        cells = []
        for trace in simulated[1:]:
            previous = cost_model.model(
                "previous", trace, feeds[("previous", follows)], ops["previous"], None, images
            )
            today = cost_model.model(
                "today", trace, feeds[("today", follows)], ops["today"], planner_today, images
            )
            change = previous.total / today.total
            cells.append(f"{trace.name}: ${previous.total:,.0f} -> ${today.total:,.0f} (x{change:.1f})")
            if trace.name == HEADLINE_TRACE:
                headline[f"previous-{follows}"], headline[f"today-{follows}"] = previous, today
        table.append(
            Row(
                STACK,
                f"Monthly, per 1M weekly members, {follows} follows: previous -> today",
                "; ".join(cells),
                "",
                None,
            )
        )
    previous, today = headline["previous-150"], headline["today-150"]
    ratio = previous.total / today.total
    changed = next(t for t in simulated if t.name == HEADLINE_TRACE).changed_first_pages
    images_and_labels = ("CloudFront", "Rekognition")
    backend = {
        d: lines.total - sum(lines.dollars.get(s, 0.0) for s in images_and_labels)
        for d, lines in (("previous", previous), ("today", today))
    }
    jpeg, webp, avif = images["jpeg"], images["webp"], images["avif"]
    card = {d: cost_model.image_bytes(d, images)["card"] for d in ("previous", "today")}
    after, sample = cost_model.screening_settings()
    shares = {
        months: cost_model.screened_share(after, sample, months)
        for months in (0, cost_model.SCREENING_HISTORY_MONTHS, 3)
    }
    table += [
        Row(
            STACK,
            f"Image bytes on {images['photos']} demo photos, JPEG / WebP / AVIF, small / medium / large",
            " / ".join(
                f"{jpeg[n] / 1000:.1f} / {webp[n] / 1000:.1f} / {avif[n] / 1000:.1f} KB"
                for n in ("small", "medium", "large")
            )
            + f" (WebP x{sum(webp.values()) / sum(jpeg.values()):.2f}, "
            f"AVIF x{sum(avif.values()) / sum(jpeg.values()):.2f} the bytes)",
            "",
            None,
            f"a card as delivered: previous {card['previous'] / 1000:.1f} KB (JPEG), today "
            f"{card['today'] / 1000:.1f} KB (AVIF to {cost_model.AVIF_BROWSER_SHARE:.0%} of browsers, WebP "
            f"to the other {cost_model.WEBP_BROWSER_SHARE - cost_model.AVIF_BROWSER_SHARE:.0%}); "
            f"the copies add {images['cpu_ms_per_photo_with_webp'] - images['cpu_ms_per_photo']:.0f} ms of "
            f"thumbnailer CPU a photo (here; {images['cpu_ms_per_photo']:.0f} ms without them); drawn demo "
            "scenes compress better than camera photos",
        ),
        Row(
            STACK,
            f"Uploads screened (DetectModerationLabels) under the trust rule: every one below {after} "
            f"clean photos since the last strike, then 1 in {sample}",
            f"{shares[cost_model.SCREENING_HISTORY_MONTHS]:.0%} with the month before on record "
            f"(previously 100%)",
            "",
            None,
            f"the bench community's posting (1M members, authors a power law of exponent "
            f"{cost_model.POSTING_EXPONENT}); every member new this month: {shares[0]:.0%}; three months "
            f"on record: {shares[3]:.0%}",
        ),
        _engagement_row(ops["previous"]["engagement"], ops["today"]["engagement"]),
        Row(
            STACK,
            f"Whole stack, 150 follows, {HEADLINE_TRACE} trace: today (previous design x)",
            f"${today.total:,.0f} a month (x{ratio:.1f} below ${previous.total:,.0f})",
            "<= $6,000 and >= 3x below",
            today.total <= 6000 and ratio >= 3,
            "prices " + prices.PRICES_AS_OF,
        ),
        Row(
            STACK,
            "  today, by service",
            cost_model.describe(today),
            "",
            None,
            f"on arm64 (`make deploy ARCH=arm64`, 20% less a GB-second; durations as measured here on "
            f"x86_64, not measured on Graviton) Lambda would be ${cost_model.lambda_on_arm64(today):,.0f}",
        ),
        Row(
            STACK,
            "  today, Rekognition and DynamoDB",
            cost_model.detail(today, "Rekognition") + "; " + cost_model.detail(today, "DynamoDB"),
            "",
            None,
        ),
        Row(STACK, "  previous design, by service", cost_model.describe(previous), "", None),
        Row(
            STACK,
            "  today without CloudFront's image delivery (what the backend design decides)",
            f"${today.total - today.dollars['CloudFront']:,.0f} "
            f"(previous ${previous.total - previous.dollars['CloudFront']:,.0f})",
            "",
            None,
            "image bytes and requests follow viewing, the same in every design: "
            + today.basis.get("CloudFront", "")
            + f"; first-page reads that show a refreshed feed (the rest load their images from the "
            f"browser's cache): previous {changed['previous']:.0%}, today {changed['today']:.0%}",
        ),
        Row(
            STACK,
            "  today without image delivery and Rekognition (labels brands read, screening on trust)",
            f"${backend['today']:,.0f} (x{backend['previous'] / backend['today']:.1f} below the previous "
            f"design's ${backend['previous']:,.0f})",
            "",
            None,
            "the two lines follow what members view and what the product labels and screens, not the "
            "backend's design (docs/feeds.md, what is not met)",
        ),
    ]
    return table


def _engagement_row(before: dict[str, Any], today: dict[str, Any]) -> Row:
    writes = before["worker_write_units"] / today["worker_write_units"]
    return Row(
        STACK,
        "Engagement worker per 1,000 accepted events, previous / today (bench/engagement_probe.py)",
        f"{before['worker_write_units']:,.0f} / {today['worker_write_units']:,.0f} write units "
        f"(x{writes:.0f}); "
        f"{before['worker_read_units']:,.0f} / {today['worker_read_units']:,.0f} read units",
        "",
        None,
        f"the same delivery for both: {today['messages_per_invocation']:.1f} messages an invocation today "
        f"(cost_model.ENGAGEMENT_DELIVERY); the edge {before['edge_write_units']:,.0f} / "
        f"{today['edge_write_units']:,.0f} write units",
    )


def rows(
    members: int = 600, sample: int = 4, windows: list[int] | None = None, reuse: bool = False
) -> list[Row]:
    return rows_from(measure(members, sample, windows or [10_000, 100_000], reuse))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=600)
    parser.add_argument("--sample", type=int, default=4)
    parser.add_argument("--planner-windows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--reuse", action="store_true", help="reuse probes saved in build/ by an earlier run")
    args = parser.parse_args()
    from bench.report import markdown

    print(markdown(rows(args.members, args.sample, args.planner_windows, args.reuse)))


if __name__ == "__main__":
    main()
