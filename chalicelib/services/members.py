"""Member rules: profiles exist from the first authenticated call; onboarding needs interests."""

from __future__ import annotations

import threading
import time

from chalicelib import caches, clock
from chalicelib.auth import Identity
from chalicelib.data import brands as brand_store
from chalicelib.data import users
from chalicelib.data.users import Member
from chalicelib.errors import NotFound, ValidationFailed, field_error
from chalicelib.schemas.members import BrandRef, Interest, Me, Profile
from chalicelib.services.presenters import me_out, profile_out
from chalicelib.settings import get_settings

# A warm process marks a member active at most this often; the gateway also
# caches the authorizer's answer, so activity costs ~1 write per member per 5 min.
_ACTIVITY_INTERVAL_SECONDS = 300
_recent: dict[str, float] = {}
_recent_lock = threading.Lock()


def record_activity(identity: Identity) -> bool:
    """Create the profile if new, and mark the member active for the feed planner.

    False for a member whose account is being erased (DELETE /me): the caller refuses the token.
    """
    now = time.monotonic()
    with _recent_lock:
        last = _recent.get(identity.user_id)
        if last is not None and now - last < _ACTIVITY_INTERVAL_SECONDS:
            return True
        _recent[identity.user_id] = now
    if users.upsert_activity(identity.user_id, identity.display_name_hint, clock.now_iso()):
        return True
    with _recent_lock:
        _recent.pop(identity.user_id, None)
    return False


def forget_recent_activity() -> None:
    with _recent_lock:
        _recent.clear()



caches.register(forget_recent_activity)

def _me(identity: Identity, member: Member) -> Me:
    owned = brand_store.owned_brands(identity.user_id) if identity.is_brand else []
    return me_out(
        member,
        prime=identity.is_prime,
        brand=identity.is_brand,
        brands=[BrandRef(id=b.brand_id, name=b.name) for b in owned],
    )


def _own_member(identity: Identity) -> Member:
    member = users.get_member(identity.user_id)
    if member is None:
        # The activity mark may have been skipped by the throttle after a data reset.
        forget_recent_activity()
        record_activity(identity)
        member = users.get_member(identity.user_id)
    if member is None:
        raise NotFound("Profile not found.")
    return member


def get_me(identity: Identity) -> Me:
    return _me(identity, _own_member(identity))


def update_me(
    identity: Identity, *, display_name: str | None, bio: str | None, brand_audiences: bool | None = None
) -> Me:
    _own_member(identity)
    member = users.update_profile(
        identity.user_id, display_name=display_name, bio=bio, brand_audiences=brand_audiences
    )
    if member is None:
        raise NotFound("Profile not found.")
    return _me(identity, member)


def choose_interests(identity: Identity, interest_ids: list[str]) -> list[str]:
    """Set the member's interests; repeats are harmless, only distinct ids count toward the bounds."""
    settings = get_settings()
    distinct = list(dict.fromkeys(interest_ids))
    if not settings.min_interests <= len(distinct) <= settings.max_interests:
        raise ValidationFailed(
            f"Choose between {settings.min_interests} and {settings.max_interests} distinct interests.",
            [field_error("interests", f"{len(distinct)} distinct ids given", "interest_count")],
        )
    known = users.find_interests(distinct)
    unknown = [
        field_error(f"interests.{index}", f"unknown interest id {interest_id!r}", "unknown_interest")
        for index, interest_id in enumerate(interest_ids)
        if interest_id not in known
    ]
    if unknown:
        raise ValidationFailed("Some interests do not exist.", unknown)
    _own_member(identity)
    member = users.set_interests(identity.user_id, distinct)
    if member is None:
        raise NotFound("Profile not found.")
    return member.interests


def get_profile(user_id: str, viewer: Identity | None) -> Profile:
    member, followed = users.get_member_and_follow(user_id, viewer.user_id if viewer else None)
    if member is None:
        raise NotFound("No such member.")
    return profile_out(member, followed)


def interest_catalog() -> list[Interest]:
    return sorted(
        (Interest(id=i.interest_id, name=i.name) for i in users.list_interests()), key=lambda i: i.name
    )
