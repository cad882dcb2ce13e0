"""The screening trust rule (services/screening.py): who is screened, and how often."""

from __future__ import annotations

import uuid

import pytest

from chalicelib.services.screening import drawn, needs_screening
from chalicelib.settings import Settings


def _settings(after: int = 5, sample: int = 10) -> Settings:
    return Settings(screening_trusted_after=after, screening_trusted_sample=sample)


@pytest.mark.parametrize("clean", [0, 1, 4])
def test_a_member_below_the_record_is_screened_every_time(clean: int) -> None:
    settings = _settings()
    assert all(
        needs_screening(settings, upload_id=f"up_{uuid.uuid4()}", screened_clean=clean) for _ in range(200)
    )


def test_a_trusted_member_is_screened_on_about_one_upload_in_the_sample() -> None:
    settings = _settings(sample=10)
    ids = [f"up_{uuid.UUID(int=i)}" for i in range(20_000)]
    share = sum(needs_screening(settings, upload_id=u, screened_clean=5) for u in ids) / len(ids)
    assert 0.09 < share < 0.11


def test_the_draw_is_the_same_for_the_same_upload() -> None:
    upload_id = f"up_{uuid.uuid4()}"
    assert len({drawn(upload_id, 10) for _ in range(5)}) == 1


def test_a_sample_of_one_screens_everyone() -> None:
    settings = _settings(sample=1)
    assert all(
        needs_screening(settings, upload_id=f"up_{uuid.uuid4()}", screened_clean=99) for _ in range(100)
    )
