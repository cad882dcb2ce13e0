"""The demo community's history (local/demo_plan.py) looks like a community's: varied captions that
no profile repeats, a long tail of authors and smiles, an Enthusiast badge only the few earn, and
posts, smiles, comments and follows spread over the last days in an order that can have happened.
"""

from __future__ import annotations

import statistics
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import clock, ids
from chalicelib.settings import Settings
from local import demo_clock
from local.demo_data import DEMO_MEMBERS, community
from local.demo_plan import (
    BADGE_MIN_SMILES,
    NEWEST_HOURS,
    OLDEST_HOURS,
    POSTING,
    READER,
    READER_FOLLOWS,
    STARS,
    DemoPlan,
    plan,
)
from local.demo_posts import REAL_POSTS
from local.demo_stories import SHOTS


@pytest.fixture(scope="module")
def demo() -> DemoPlan:
    return plan(120)


def test_the_plan_is_deterministic(demo: DemoPlan) -> None:
    again = plan(120)
    assert [(p.author, p.shot.caption, p.age_hours) for p in again.posts] == [
        (p.author, p.shot.caption, p.age_hours) for p in demo.posts
    ]
    assert again.smiles == demo.smiles and again.comments == demo.comments


def test_sixty_and_more_distinct_captions_and_stories() -> None:
    captions = [s.caption for s in SHOTS]
    assert len(set(captions)) == len(captions) >= 60
    stories = {s.story for s in SHOTS if s.story}
    assert len(stories) >= 40


def test_the_demo_uses_them_and_no_profile_repeats_a_caption(demo: DemoPlan) -> None:
    assert len({p.shot.caption for p in demo.posts}) >= 60
    by_author: dict[str, list[str]] = {}
    for post in demo.posts:
        by_author.setdefault(post.author, []).append(post.shot.caption)
    for author, captions in by_author.items():
        assert len(captions) == len(set(captions)), author
    # a post is about one of its author's interests
    people = {m.email: m for m in community()}
    for post in demo.posts:
        assert post.interests[0] in people[post.author].interests


def test_settings_and_kinds_of_post_vary(demo: DemoPlan) -> None:
    settings = Counter(p.shot.setting for p in demo.posts if p.has_photo)
    assert len(settings) >= 15
    assert max(settings.values()) <= len(demo.posts) // 6
    kinds = Counter(p.shot.kind for p in demo.posts)
    assert set(kinds) == {"photo", "story", "idea"}


def test_authors_form_a_long_tail(demo: DemoPlan) -> None:
    posts_by = Counter(p.author for p in demo.posts)
    assert len(posts_by) >= 10
    counts = sorted(posts_by.values(), reverse=True)
    assert counts[0] <= len(demo.posts) * 0.2  # nobody is the whole feed
    assert counts[0] >= 4 * counts[-1]  # but some post much more than others
    assert set(posts_by) <= set(POSTING)
    # and most of the community reads, smiles and comments without posting
    active = {s.member for s in demo.smiles} | {c.member for c in demo.comments}
    assert len(active - set(posts_by)) >= 20


def test_only_the_few_earn_the_enthusiast_badge(demo: DemoPlan) -> None:
    assert Settings().enthusiast_min_smiles == BADGE_MIN_SMILES  # the plan's floor is the job's
    earners = {
        author
        for author, interests in demo.badge_scores().items()
        if max(interests.values()) >= BADGE_MIN_SMILES
    }
    assert earners == set(STARS)
    assert len(earners) <= len(POSTING) // 4


def test_smiles_are_long_tailed_and_never_the_authors_own(demo: DemoPlan) -> None:
    per_post = [demo.smiles_of(p.index) for p in demo.posts]
    assert max(per_post) >= 10
    assert statistics.median(per_post) <= 3
    assert per_post.count(0) >= 5
    by_post = {p.index: p for p in demo.posts}
    for smile in demo.smiles:
        assert smile.member != by_post[smile.post].author
    assert len({(s.member, s.post) for s in demo.smiles}) == len(demo.smiles)  # one smile each


def test_comments_vary_and_come_from_people_who_smiled(demo: DemoPlan) -> None:
    texts = Counter(c.text for c in demo.comments)
    assert len(texts) >= 15
    smiled = {(s.member, s.post) for s in demo.smiles}
    by_post = {p.index: p for p in demo.posts}
    for comment in demo.comments:
        assert (comment.member, comment.post) in smiled or comment.member == by_post[comment.post].author
        assert "{thing}" not in comment.text


def test_the_reader_follows_contributors_and_the_stars_are_followed_most(demo: DemoPlan) -> None:
    assert {f.followee for f in demo.follows if f.follower == READER.email} == set(READER_FOLLOWS)
    followers = Counter(f.followee for f in demo.follows)
    assert {e for e, _ in followers.most_common(len(STARS))} & set(STARS)
    assert all(f.follower != f.followee for f in demo.follows)
    assert len({(f.follower, f.followee) for f in demo.follows}) == len(demo.follows)
    assert READER is DEMO_MEMBERS[0]


def test_posts_are_backdated_across_days_newest_first(demo: DemoPlan) -> None:
    ages = [p.age_hours for p in demo.posts]
    assert ages[:REAL_POSTS] == [0.0] * REAL_POSTS  # published now, through the real path
    bulk = ages[REAL_POSTS:]
    assert all(NEWEST_HOURS <= age <= OLDEST_HOURS for age in bulk)
    assert bulk == sorted(bulk)  # post i is newer than post i + 1
    assert max(bulk) - min(bulk) >= 72  # spread over days
    days = Counter(int(age // 24) for age in bulk)
    assert len(days) >= 4
    # within the window trending looks at, so the anonymous feed has a history too
    assert sum(age <= Settings().trending_days * 24 for age in bulk) >= len(bulk) // 2


def test_reactions_happen_after_their_post_and_before_now(demo: DemoPlan) -> None:
    by_post = {p.index: p for p in demo.posts}
    for reaction in [*demo.smiles, *demo.comments]:
        assert 0 <= reaction.age_hours <= by_post[reaction.post].age_hours
    assert all(0 < f.age_hours <= OLDEST_HOURS + 48 for f in demo.follows)


def test_the_demo_clock_moves_only_the_seeding_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # demo_clock installs its overrides for good (in the seeding process); this test puts back
    # what was there before
    monkeypatch.setattr(clock, "now", clock.now)
    monkeypatch.setattr(ids, "time", ids.time)
    then = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
    seen_elsewhere: list[datetime] = []

    def elsewhere() -> None:
        seen_elsewhere.append(clock.now())

    with demo_clock.at(then):
        assert clock.now() == then
        assert clock.now_iso() == "2026-05-04T03:02:01.000Z"
        backdated = ids.new_id("post")
        other = threading.Thread(target=elsewhere)
        other.start()
        other.join()
    assert abs(seen_elsewhere[0] - datetime.now(UTC)) < timedelta(minutes=5)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=5)
    # an id made "then" sorts before one made now, as the listings that sort by id need
    assert backdated < ids.new_id("post")
    with demo_clock.at(then + timedelta(hours=1)):
        assert backdated < ids.new_id("post")
    with demo_clock.at(None):
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=5)
