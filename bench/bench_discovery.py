"""Image discovery: precision and recall of the product matcher on a labelled set from the demo.

    .venv/bin/python -m bench.bench_discovery [--posts 160]

The labelled set: the demo plan's photos (local/demo_plan.py), drawn by the demo generator with
their products in their own colours (local/demo_posts.py, at the bulk seeding size) and run
through the thumbnailer's own image code (services/imaging.py); the truth of each photo is the
set of catalog products drawn in it. Products are the demo catalog's packshots
(local/demo_images.py). Each photo's candidates come from the same bounded colour-bucket index
the service reads (at most `CANDIDATES_PER_BUCKET` products per bucket, `MAX_BUCKETS` buckets),
held in memory here; scoring and the kept top `MATCHES_KEPT` are the service's `rank_matches`.

Photos of even plan index are the training half (the threshold is chosen there, maximising F1;
so were the region score weights, signatures.SCORE_WEIGHTS, by a grid search on how often a
photo's best match is a product drawn in it); odd ones are held out and measured at that
threshold. Precision counts a match right only when it is the very product drawn; "look-alike
precision" also counts a product of the same kind and colour (another brand's identical-looking
item), which no visual signature can tell apart.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.report import Row
from chalicelib.data.discovery import Candidate
from chalicelib.services import discovery, signatures
from chalicelib.services.imaging import process_image
from local import demo_data, demo_images, demo_posts
from local.demo_plan import plan

SECTION = "Image discovery"
SIZES = {"small": 320, "medium": 640, "large": 1280}
THRESHOLDS = [round(0.5 + 0.01 * i, 2) for i in range(46)]


@dataclass(frozen=True)
class LabelledPhoto:
    index: int
    signature: str
    truth: frozenset[str]  # product ids drawn in it


@dataclass(frozen=True)
class Scored:
    precision: float
    recall: float
    lookalike_precision: float
    predicted: int
    true: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def labelled_photos(posts: int) -> list[LabelledPhoto]:
    found = []
    for post in plan(posts).posts:
        if not post.has_photo:
            continue
        data, drawing = demo_posts.post_photo(post, long_edge=demo_posts.BULK_LONG_EDGE)
        image = process_image(data, sizes=SIZES, max_bytes=50 * 1024 * 1024)
        truth = frozenset(d.product_id for d in drawing.objects if d.product_id)
        found.append(
            LabelledPhoto(post.index, signatures.photo_signature_of(image.renditions[-1].data), truth)
        )
    return found


def product_index() -> tuple[dict[str, list[Candidate]], dict[str, tuple[str, str]]]:
    """Colour bucket -> candidates (newest id first, as the data layer reads them), and each
    product's (kind, colour)."""
    buckets: dict[str, list[Candidate]] = {}
    looks: dict[str, tuple[str, str]] = {}
    for product in demo_data.products():
        looks[product.product_id] = (product.kind, product.colour)
        signature = signatures.product_signature_of(demo_images.product_image(product))
        if signature is None:
            continue
        candidate = Candidate(product.product_id, product.brand_id, product.title, signature.encode())
        for bucket in signatures.product_buckets(signature):
            buckets.setdefault(bucket, []).append(candidate)
    for entries in buckets.values():
        entries.sort(key=lambda c: c.product_id, reverse=True)
    return buckets, looks


def candidates_of(photo_signature: str, buckets: dict[str, list[Candidate]]) -> list[Candidate]:
    photo = signatures.PhotoSignature.decode(photo_signature)
    found: dict[str, Candidate] = {}
    for bucket in signatures.photo_buckets(photo)[: discovery.MAX_BUCKETS]:
        for candidate in buckets.get(bucket, [])[: discovery.CANDIDATES_PER_BUCKET]:
            found.setdefault(candidate.product_id, candidate)
    return list(found.values())


def score(
    photos: Sequence[LabelledPhoto],
    matches: dict[int, list[tuple[str, float]]],
    looks: dict[str, tuple[str, str]],
    threshold: float,
    kept: int,
) -> Scored:
    predicted = right = lookalike = 0
    for photo in photos:
        chosen = [p for p, confidence in matches[photo.index] if confidence >= threshold][:kept]
        predicted += len(chosen)
        right += sum(p in photo.truth for p in chosen)
        truth_looks = {looks[t] for t in photo.truth}
        lookalike += sum(looks[p] in truth_looks for p in chosen)
    true = sum(len(p.truth) for p in photos)
    return Scored(
        right / predicted if predicted else 0.0,
        right / true if true else 0.0,
        lookalike / predicted if predicted else 0.0,
        predicted,
        true,
    )


def run(posts: int) -> tuple[float, dict[str, Scored], dict[str, float]]:
    """The threshold chosen on the training half (F1 of mentions: a photo's best match), and the
    scores: mentions on both halves, suggested tags (the top 3) on the held-out half."""
    photos = labelled_photos(posts)
    buckets, looks = product_index()
    started = time.process_time()
    matches: dict[int, list[tuple[str, float]]] = {}
    candidate_counts = []
    for photo in photos:
        candidates = candidates_of(photo.signature, buckets)
        candidate_counts.append(len(candidates))
        # Every match at the lowest threshold tried, best first: each threshold keeps its top ones.
        ranked = discovery.rank_matches(
            photo.signature, candidates, threshold=THRESHOLDS[0], kept=len(candidates)
        )
        matches[photo.index] = [(m.product_id, m.confidence) for m in ranked]
    cpu_per_photo = (time.process_time() - started) / max(1, len(photos))
    training = [p for p in photos if p.index % 2 == 0]
    held_out = [p for p in photos if p.index % 2 == 1]
    mention = discovery.MENTION_MATCHES
    threshold = max(THRESHOLDS, key=lambda t: (score(training, matches, looks, t, mention).f1, t))
    stats = {
        "photos": len(photos),
        "training": len(training),
        "held_out": len(held_out),
        "catalog": len(looks),
        "candidates": sum(candidate_counts) / max(1, len(candidate_counts)),
        "cpu_ms": cpu_per_photo * 1000,
    }
    scores = {
        "mentions, training": score(training, matches, looks, threshold, mention),
        "mentions, held out": score(held_out, matches, looks, threshold, mention),
        "suggested tags, held out": score(held_out, matches, looks, threshold, discovery.MATCHES_KEPT),
    }
    return threshold, scores, stats


def rows(posts: int = 160) -> list[Row]:
    threshold, scores, stats = run(posts)
    note = (
        f"{stats['photos']:.0f} demo photos ({stats['training']:.0f} training, "
        f"{stats['held_out']:.0f} held out), catalog of {stats['catalog']:.0f}; threshold "
        f"{threshold:.2f} chosen on the training half (the service uses {discovery.MATCH_THRESHOLD:.2f})"
    )
    mentions, suggested = scores["mentions, held out"], scores["suggested tags, held out"]
    return [
        Row(
            SECTION,
            "Held-out mentions (a photo's best match): precision / recall, exact product",
            f"{mentions.precision:.2f} / {mentions.recall:.2f} "
            f"({mentions.predicted} predicted, {mentions.true} drawn)",
            "",
            None,
            note,
        ),
        Row(
            SECTION,
            "Held-out suggested tags (top 3): precision / recall; look-alike precision, mentions / tags",
            f"{suggested.precision:.2f} / {suggested.recall:.2f}; {mentions.lookalike_precision:.2f} "
            f"/ {suggested.lookalike_precision:.2f}",
            "",
            None,
            "several brands sell identical-looking items in the demo catalog",
        ),
        Row(
            SECTION,
            "Candidates scored per photo (bounded colour-bucket index) / matcher CPU per photo",
            f"{stats['candidates']:.0f} of {stats['catalog']:.0f} products / {stats['cpu_ms']:.0f} ms",
            f"<= {discovery.MAX_BUCKETS * discovery.CANDIDATES_PER_BUCKET} candidates",
            stats["candidates"] <= discovery.MAX_BUCKETS * discovery.CANDIDATES_PER_BUCKET,
            "the signature itself comes from the 320-px rendition the thumbnailer already made",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=160, help="demo plan posts to label (photos only)")
    args = parser.parse_args()
    threshold, scores, stats = run(args.posts)
    print(
        f"photos {stats['photos']:.0f} (training {stats['training']:.0f}, held out {stats['held_out']:.0f}), "
        f"catalog {stats['catalog']:.0f}, candidates/photo {stats['candidates']:.1f}, "
        f"matcher CPU/photo {stats['cpu_ms']:.0f} ms"
    )
    print(f"threshold chosen on training: {threshold:.2f} (service: {discovery.MATCH_THRESHOLD:.2f})")
    for name, s in scores.items():
        print(
            f"{name}: precision {s.precision:.3f} recall {s.recall:.3f} F1 {s.f1:.3f} "
            f"look-alike precision {s.lookalike_precision:.3f} ({s.predicted} predicted, {s.true} drawn)"
        )


if __name__ == "__main__":
    main()
