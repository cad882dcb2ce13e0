"""The demo community's history, decided before anything is written: who posted what and when,
which products each post tags, who smiled, commented and followed, and when.

Pure and deterministic (no AWS, no pictures): the same seed gives the same plan, so tests can
check the whole demo from here (local/demo_posts.py carries it out through the services).

Shaped like a real community rather than a test fixture:
- posting is long-tailed: a few contributors post a lot, most a little; posts spread over the
  last five days, the newest few published through the real upload path just now;
- each post is a shot (local/demo_stories.py) from its author's interests, never the same caption
  twice on one profile, tagging catalog products of exactly the kinds its picture shows;
- smiles are long-tailed: a handful of posts by the two contributors people love collect a dozen or more,
  most posts a few, some none; everyone else stays below the Enthusiast badge's floor in every
  interest (fewer than `BADGE_MIN_SMILES` smiles from others), so the badge means something:
  only `STARS` earn it;
- comments come with smiles (popular posts get talked about), in words that fit the post;
- people follow the contributors whose interests they share, the stars most.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from local.demo_data import (
    DEMO_MEMBERS,
    MORE_CONTRIBUTORS,
    DemoMember,
    DemoProduct,
    audience,
    products,
)
from local.demo_stories import COMMENTS, SHOTS, Shot

READER = DEMO_MEMBERS[0]  # prime@: the demo's Prime reader
# Who posts, and how much of the demo each posts (shares of the post count).
POSTING: dict[str, int] = {
    "alex@demo.flint.dev": 18,
    "kim@demo.flint.dev": 16,
    "sam@demo.flint.dev": 14,
    "lee@demo.flint.dev": 12,
    "jo@demo.flint.dev": 12,
    "nora@demo.flint.dev": 10,
    "ravi@demo.flint.dev": 9,
    "mei@demo.flint.dev": 8,
    "tom@demo.flint.dev": 7,
    "ines@demo.flint.dev": 6,
    "dan@demo.flint.dev": 5,
    "zoe@demo.flint.dev": 3,
}
STARS = ("alex@demo.flint.dev", "kim@demo.flint.dev")  # the ones whose posts people love
READER_FOLLOWS = ("alex@demo.flint.dev", "sam@demo.flint.dev")  # prime@ follows these two
BADGE_MIN_SMILES = 5  # settings.enthusiast_min_smiles: everyone else stays below it
NEWEST_HOURS, OLDEST_HOURS = 0.4, 118.0  # bulk posts were published between these ages

# (width, height, EXIF orientation): landscape, portrait, square, wide, and phone photos stored
# sideways or upside down (the thumbnailer must turn them upright).
SHAPES = [
    (1600, 1200, 1),
    (1080, 1350, 1),
    (1200, 1200, 1),
    (2000, 1125, 1),
    (1200, 1600, 6),
    (1500, 1000, 3),
]


@dataclass(frozen=True)
class PlannedPost:
    index: int
    author: str  # e-mail
    shot: Shot
    products: tuple[DemoProduct, ...]  # one per subject kind, in the shot's order
    seed: int
    shape: tuple[int, int, int]
    age_hours: float  # how long before "now" it was published (the newest are published now)

    @property
    def interests(self) -> list[str]:
        return list(self.shot.interests)

    @property
    def has_photo(self) -> bool:
        return self.shot.kind != "idea"


@dataclass(frozen=True)
class PlannedSmile:
    member: str
    post: int
    age_hours: float


@dataclass(frozen=True)
class PlannedComment:
    member: str
    post: int
    text: str
    age_hours: float


@dataclass(frozen=True)
class PlannedFollow:
    follower: str
    followee: str
    age_hours: float


@dataclass
class DemoPlan:
    posts: list[PlannedPost]
    smiles: list[PlannedSmile] = field(default_factory=list)
    comments: list[PlannedComment] = field(default_factory=list)
    follows: list[PlannedFollow] = field(default_factory=list)

    def smiles_of(self, index: int) -> int:
        return sum(1 for s in self.smiles if s.post == index)

    def badge_scores(self) -> dict[str, Counter[str]]:
        """author -> interest -> smiles from others: what the Enthusiast job sums."""
        scores: dict[str, Counter[str]] = defaultdict(Counter)
        for smile in self.smiles:
            post = self.posts[smile.post]
            if smile.member != post.author:
                for interest in post.interests:
                    scores[post.author][interest] += 1
        return scores


def members() -> dict[str, DemoMember]:
    everyone = [*DEMO_MEMBERS, *MORE_CONTRIBUTORS, *audience()]
    return {m.email: m for m in everyone}


def _authors(count: int) -> list[str]:
    """Who publishes each post, in proportion to POSTING (largest remainders), interleaved."""
    total = sum(POSTING.values())
    quotas = {e: count * share / total for e, share in POSTING.items()}
    counts = {e: int(q) for e, q in quotas.items()}
    for email in sorted(quotas, key=lambda e: counts[e] - quotas[e])[: count - sum(counts.values())]:
        counts[email] += 1
    slots = [(k / counts[e], e) for e in POSTING for k in range(counts[e])]
    return [e for _, e in sorted(slots)]


def _kind_catalog(catalog: Sequence[DemoProduct]) -> dict[str, list[DemoProduct]]:
    by_kind: dict[str, list[DemoProduct]] = defaultdict(list)
    for product in catalog:
        by_kind[product.kind].append(product)
    return by_kind


def _pick_products(
    shot: Shot, by_kind: dict[str, list[DemoProduct]], rng: random.Random
) -> tuple[DemoProduct, ...]:
    """A product of each subject kind, preferring brands of the post's interests."""
    chosen = []
    for kind in shot.subject:
        pool = by_kind[kind]
        fitting = [p for p in pool if set(p.interests) & set(shot.interests)] or pool
        chosen.append(rng.choice(fitting))
    return tuple(chosen)


def plan(count: int = 120, seed: int = 2026, catalog: Sequence[DemoProduct] | None = None) -> DemoPlan:
    rng = random.Random(seed)
    people = members()
    by_kind = _kind_catalog(catalog if catalog is not None else products())
    used: dict[str, set[str]] = defaultdict(set)  # author -> captions
    shown: Counter[str] = Counter()  # caption -> times used by anyone
    per_interest: Counter[str] = Counter()
    authors = _authors(count)
    # Ages: the first posts are the newest (the first few are published through the real path now).
    ages = sorted(NEWEST_HOURS + (OLDEST_HOURS - NEWEST_HOURS) * rng.random() ** 2.2 for _ in range(count))
    posts: list[PlannedPost] = []
    for index, email in enumerate(authors):
        interests = set(people[email].interests)
        pool = [s for s in SHOTS if s.interests[0] in interests and s.caption not in used[email]]
        if not pool:  # more posts than this author has shots: captions may repeat, never run out
            pool = [s for s in SHOTS if s.interests[0] in interests]
        # the least-shown caption in the author's least-covered interest, ties broken at random
        rng.shuffle(pool)
        shot = min(pool, key=lambda s: (shown[s.caption], per_interest[s.interests[0]]))
        used[email].add(shot.caption)
        shown[shot.caption] += 1
        per_interest[shot.interests[0]] += 1
        posts.append(
            PlannedPost(
                index=index,
                author=email,
                shot=shot,
                products=_pick_products(shot, by_kind, rng),
                seed=1000 + index,
                shape=SHAPES[rng.randrange(len(SHAPES))],
                age_hours=0.0 if index < 8 else round(ages[index], 3),
            )
        )
    demo = DemoPlan(posts)
    _follows(demo, people, rng)
    _smiles(demo, people, rng)
    _comments(demo, rng)
    return demo


def _follows(demo: DemoPlan, people: dict[str, DemoMember], rng: random.Random) -> None:
    contributors = list(POSTING)
    for followee in READER_FOLLOWS:
        demo.follows.append(PlannedFollow(READER.email, followee, round(rng.uniform(30, 160), 3)))
    for email, member in people.items():
        if email == READER.email or not member.interests:
            continue
        shared = [c for c in contributors if c != email and set(people[c].interests) & set(member.interests)]
        weights = [4.0 if c in STARS else 1.0 for c in shared]
        picked: set[str] = set()
        for _ in range(min(len(shared), rng.choice((0, 1, 1, 2)))):
            picked.add(rng.choices(shared, weights)[0])
        for followee in sorted(picked):
            demo.follows.append(PlannedFollow(email, followee, round(rng.uniform(2, 160), 3)))


def _target_smiles(post: PlannedPost, rank: int, rng: random.Random) -> int:
    """How many smiles a post collects: the stars' best few dozens, then a long tail."""
    if post.author in STARS:
        if rank < 4:
            return rng.randint(10, 16)
        return int(1 + 7 * rng.random() ** 2.5)
    return rng.choice([0, 0, 0, 1, 1, 1, 2, 3])


def _smiles(demo: DemoPlan, people: dict[str, DemoMember], rng: random.Random) -> None:
    followers: dict[str, set[str]] = defaultdict(set)
    for follow in demo.follows:
        followers[follow.followee].add(follow.follower)
    smilers = [e for e, m in people.items() if "prime" in m.groups]
    star_posts = [p for p in demo.posts if p.author in STARS and p.age_hours > 0]
    best = {p.index for p in rng.sample(star_posts, k=min(4, len(star_posts)))}
    credit: dict[str, Counter[str]] = defaultdict(Counter)  # non-stars: smiles per interest
    for post in demo.posts:
        target = _target_smiles(post, 0 if post.index in best else 99, rng)
        if post.author not in STARS:  # stay below the badge's floor in every interest
            room = min(BADGE_MIN_SMILES - 1 - credit[post.author][i] for i in post.interests)
            target = max(0, min(target, room))
            for interest in post.interests:
                credit[post.author][interest] += target
        candidates = [e for e in smilers if e != post.author]
        weights = [
            (4.0 if e in followers[post.author] else 1.0)
            * (2.0 if set(people[e].interests) & set(post.interests) else 0.5)
            for e in candidates
        ]
        chosen: set[str] = set()
        while len(chosen) < min(target, len(candidates)):
            chosen.add(rng.choices(candidates, weights)[0])
        for email in sorted(chosen):
            # most smiles come soon after the post appears
            demo.smiles.append(
                PlannedSmile(email, post.index, round(post.age_hours * (1 - rng.random() ** 0.35), 3))
            )


def _comments(demo: DemoPlan, rng: random.Random) -> None:
    smiled: dict[int, list[str]] = defaultdict(list)
    for smile in demo.smiles:
        smiled[smile.post].append(smile.member)
    for post in demo.posts:
        smiles = len(smiled[post.index])
        if smiles >= 8:
            count = rng.randint(2, 4)
        elif smiles >= 3:
            count = rng.randint(0, 1)
        else:
            count = 1 if rng.random() < 0.1 else 0
        if not count or not smiled[post.index]:
            continue
        things = [p.title.partition(" - ")[0].split(" ", 1)[1] for p in post.products]  # "Dutch Oven"
        texts = [
            t for key in ("", *post.interests) for t in COMMENTS.get(key, []) if things or "{thing}" not in t
        ]
        said: set[str] = set()
        for _ in range(count):
            text = rng.choice(texts).replace("{thing}", rng.choice(things) if things else "")
            if text in said:
                continue
            said.add(text)
            member = rng.choice(smiled[post.index])
            demo.comments.append(
                PlannedComment(member, post.index, text, round(post.age_hours * rng.uniform(0.05, 0.9), 3))
            )
        if count >= 3 and rng.random() < 0.7:  # the author answers the busy ones
            reply = "Thank you all!" if not things else f"Thanks! The {things[0]} was worth every penny."
            demo.comments.append(
                PlannedComment(post.author, post.index, reply, round(post.age_hours * 0.04, 3))
            )
