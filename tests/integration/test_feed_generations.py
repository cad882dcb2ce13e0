"""Switching feed generations under readers: every page whole, every walk one generation exactly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import requests

from chalicelib import clock
from local.bulk import bulk_posts, post_record
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.feeds import (
    HIKER,
    entry_ids,
    feed_page,
    generation_items,
    joined,
    onboard,
    refresh,
    stored_post,
)

NewMember = Callable[..., SignedInMember]


pytestmark = pytest.mark.usefixtures("feeds_of_their_own")


def _hiker_and_author(api: Any, new_member: NewMember, posts: int) -> tuple[SignedInMember, SignedInMember]:
    seed_interests()
    author = joined(api, new_member("prime"))
    start = clock.now() - timedelta(hours=1)
    bulk_posts(
        [
            post_record(author.user_id, [HIKER[i % len(HIKER)]], clock.iso(start + timedelta(seconds=i)))
            for i in range(posts)
        ]
    )
    hiker = new_member("prime")
    onboard(api, hiker, HIKER)
    return hiker, author


def test_a_reader_paging_a_generation_is_not_disturbed_by_the_next_one(
    api: Any, new_member: NewMember
) -> None:
    # Given a hiker's feed of 30 posts (generation N), read up to its second page
    hiker, author = _hiker_and_author(api, new_member, posts=30)
    refresh(hiker.user_id)
    [generation_n] = generation_items(hiker.user_id)
    first = feed_page(api, hiker, 10)
    second = feed_page(api, hiker, 10, first["next_cursor"])

    # When a new post arrives and generation N+1 is written (the new post at its top)
    newest = stored_post(author.user_id, ["hiking"], clock.now_iso())
    refresh(hiker.user_id)
    assert entry_ids(generation_items(hiker.user_id)[-1])[0] == newest

    # Then the reader finishes generation N: no post twice, none skipped, the new one not mixed in
    walked = first["items"] + second["items"]
    cursor = second["next_cursor"]
    while cursor:
        page = feed_page(api, hiker, 10, cursor)
        walked += page["items"]
        cursor = page["next_cursor"]
    assert [c["post"]["id"] for c in walked] == entry_ids(generation_n)
    # and a fresh read starts on N+1
    assert feed_page(api, hiker, 10)["items"][0]["post"]["id"] == newest


def test_readers_see_whole_pages_of_one_generation_while_refreshes_run(
    api: Any, http_api: str, new_member: NewMember
) -> None:
    # Given a hiker's feed of 21 posts (three pages of 7: each walk crosses pages, and four readers
    # walking it over and over stay cheap enough not to starve the refreshes on a loaded machine)
    hiker, author = _hiker_and_author(api, new_member, posts=21)
    refresh(hiker.user_id)
    refreshes_done = threading.Event()
    walks: list[list[list[str]]] = []
    problems: list[str] = []
    lock = threading.Lock()

    def read_until_refreshes_end() -> None:
        session = requests.Session()
        session.headers.update(hiker.headers)
        while True:
            last_round = refreshes_done.is_set()
            pages: list[list[str]] = []
            cursor: str | None = None
            while True:
                params: dict[str, Any] = {"limit": 7, **({"cursor": cursor} if cursor else {})}
                response = session.get(f"{http_api}/feed", params=params, timeout=30)
                if response.status_code != 200:
                    with lock:
                        problems.append(f"{response.status_code} {response.text}")
                    return
                page = response.json()
                pages.append([card["post"]["id"] for card in page["items"]])
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            with lock:
                walks.append(pages)
            if last_round:
                return

    readers = [threading.Thread(target=read_until_refreshes_end) for _ in range(4)]
    for reader in readers:
        reader.start()

    # When eight refreshes run meanwhile, each with a new post in the hiker's interests
    for step in range(1, 9):
        stored_post(author.user_id, [HIKER[step % len(HIKER)]], clock.now_iso())
        assert refresh(hiker.user_id) > 0
        time.sleep(0.1)
    refreshes_done.set()
    for reader in readers:
        reader.join(timeout=120)

    # Then every read succeeded with a whole page: 7 cards, fewer only at a generation's end, never none
    assert problems == []
    assert all(len(page) == 7 for pages in walks for page in pages[:-1])
    assert all(0 < len(pages[-1]) <= 7 for pages in walks)
    # and every walk is exactly one generation, in order: nothing twice, nothing skipped, nothing half
    generations = {tuple(entry_ids(item)) for item in generation_items(hiker.user_id)}
    assert len(generations) == 9
    walked = [tuple(post_id for page in pages for post_id in page) for pages in walks]
    assert [w for w in walked if w not in generations] == []
    # and the readers did overlap the switches (they saw more than one generation)
    assert len(set(walked)) > 1
