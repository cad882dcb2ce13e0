"""Erasure and export cover every kind of item that names a member: a new one cannot be forgotten.

Each data module contributes its kinds to chalicelib/data/ownership.py. Here: every item class
is either some kind's or declared not to hold member data (with the reason), and every key
function of keys.py that takes a member's id is used by some kind. A new item type with a member
key, added without telling the registry, fails this test.
"""

from __future__ import annotations

import inspect

from chalicelib.data import keys, ownership
from chalicelib.data.models import ALL_MODELS
from chalicelib.services import erasure

# keys.py parameters that hold a member's id (a feed owner or a rate-limit subject may be one).
MEMBER_PARAMETERS = {
    "user_id",
    "member_id",
    "owner_id",
    "author_id",
    "follower_id",
    "followee_id",
    "owner",
    "subject",
}
# Key functions that take such a parameter but build no key of a member's item, and why.
NOT_MEMBER_KEYS = {
    "active_shard": "a number (the shard of the active-members index), not a key",
    "member_owned": "the registry's own index (GSI4) of the kinds below",
    "member_owned_kind": "the registry's own index (GSI4) of the kinds below",
    "trending_owner": "the shared trending lists' owner, not a member",
}


def test_every_item_class_belongs_to_a_kind_or_holds_no_member_data() -> None:
    covered = {model.__name__ for kind in erasure.kinds() for model in kind.models}
    for model in ALL_MODELS:
        assert model.__name__ in covered or model.__name__ in ownership.NOT_MEMBER_DATA, (
            f"{model.__name__}: register its kind in chalicelib/data/ownership.py (find, erase, export) "
            "or say in NOT_MEMBER_DATA why it holds nothing of a member"
        )
    assert not covered & set(ownership.NOT_MEMBER_DATA)


def test_every_key_built_from_a_member_id_belongs_to_a_kind() -> None:
    used = {name for kind in erasure.kinds() for name in kind.key_functions}
    for name, function in inspect.getmembers(keys, inspect.isfunction):
        if function.__module__ != keys.__name__:
            continue
        if not set(inspect.signature(function).parameters) & MEMBER_PARAMETERS:
            continue
        assert name in used or name in NOT_MEMBER_KEYS, (
            f"keys.{name} builds a key from a member's id: list it in the key_functions of the kind "
            "that erases those items (chalicelib/data/ownership.py)"
        )
    assert used <= {name for name, _ in inspect.getmembers(keys, inspect.isfunction)}


def test_the_profile_goes_last_and_every_kind_can_be_erased() -> None:
    kinds = erasure.kinds()
    assert kinds[-1].name == "profile"
    assert all(kind.phase < erasure.PROFILE_PHASE for kind in kinds[:-1])
    assert len({kind.name for kind in kinds}) == len(kinds)
