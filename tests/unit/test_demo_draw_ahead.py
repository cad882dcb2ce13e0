"""`make dev` draws the demo photos in other processes while the stack starts
(local/demo_posts.py `draw_ahead`): publishing must get exactly the photos and tag points it
would have drawn itself."""

from __future__ import annotations

import pytest

from local.demo_plan import plan
from local.demo_posts import _AHEAD, BULK_LONG_EDGE, draw_ahead, post_photo, tags_of


def test_photos_drawn_ahead_are_the_photos_drawn_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLINT_DEMO_IMAGE_CACHE", "off")  # both sides really draw
    count, real = 6, 2
    pool = draw_ahead(count, real=real, workers=1)
    try:
        compared = 0
        for post in plan(count).posts:
            if not post.has_photo:
                continue
            edge = None if post.index < real else BULK_LONG_EDGE
            assert (post.index, edge) in _AHEAD
            ahead_bytes, ahead_drawing = post_photo(post, edge)
            assert (post.index, edge) not in _AHEAD  # taken from the pool, not drawn here
            here_bytes, here_drawing = post_photo(post, edge)
            assert ahead_bytes == here_bytes
            assert tags_of(ahead_drawing) == tags_of(here_drawing)
            assert tags_of(here_drawing)
            compared += 1
        assert compared >= 4
    finally:
        pool.shutdown(cancel_futures=True)
        _AHEAD.clear()
