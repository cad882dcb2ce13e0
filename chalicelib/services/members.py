"""Member rules: profiles exist from the first authenticated call; onboarding needs interests;
a profile is edited in one transaction (name, bio, avatar, interests), a rename moving the
member's search entries with it."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from chalicelib import caches, clock
from chalicelib.data import users
from chalicelib.data.users import Member, ProfileChange
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from chalicelib.lazy import lazy_module
from chalicelib.observability import logger
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.auth import Identity
    from chalicelib.schemas.members import Interest, Me, Profile, ProfilePatch

# The authorizer imports this module for record_activity alone: what profiles need (pydantic
# schemas, presenters, brands, media, S3) is imported on first use (chalicelib/lazy.py, issue 19).
brand_store = lazy_module("chalicelib.data.brands")
media_store = lazy_module("chalicelib.data.media")
objects = lazy_module("chalicelib.data.objects")
member_schemas = lazy_module("chalicelib.schemas.members")
presenters = lazy_module("chalicelib.services.presenters")

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
    return presenters.me_out(
        member,
        prime=identity.is_prime,
        brand=identity.is_brand,
        brands=[member_schemas.BrandRef(id=b.brand_id, name=b.name) for b in owned],
        moderator=identity.is_moderator,
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
    return ensure_searchable(member)


def ensure_searchable(member: Member) -> Member:
    """A member gets search entries the first time they use the API as themself (GET /me, a post),
    not in the authorizer, whose policy only lets it mark members active. Returns the member as
    it now is (its `search_words` known, so a rename right after removes exactly those)."""
    if member.search_words is not None or member.banned:
        return member
    written = users.index_member(member.user_id, member.display_name)
    if written is not None:
        return replace(member, search_words=written)
    return users.get_member(member.user_id) or member


def get_me(identity: Identity) -> Me:
    return _me(identity, _own_member(identity))


def update_me(identity: Identity, patch: ProfilePatch) -> Me:
    """Apply PATCH /me: 3 requests (the profile read, one transaction, the new avatar's upload read
    when one is named); fields left out are untouched."""
    current = _own_member(identity)
    if current.banned:
        raise Forbidden("Your account is banned: you can no longer edit your profile.", code="banned")
    interests = _checked_interests(patch.interests) if patch.interests is not None else None
    change = ProfileChange(
        display_name=patch.display_name,
        bio=patch.bio,
        interests=interests,
        brand_audiences=patch.brand_audiences,
    )
    if "avatar_upload_id" in patch.model_fields_set:
        if patch.avatar_upload_id is None:
            change = replace(change, remove_avatar=True)
        elif patch.avatar_upload_id != current.avatar_upload_id:
            upload = _avatar_upload(identity, patch.avatar_upload_id)
            renditions = {
                r.name: {"key": r.key, "width": r.width, "height": r.height} for r in upload.renditions
            }
            change = replace(change, avatar=renditions, avatar_upload_id=upload.upload_id)
    outcome = users.change_profile(current, change)
    if outcome.failed_on(users.AVATAR):
        raise Conflict(
            "That upload cannot be your avatar any more; upload it again.", code="upload_not_ready"
        )
    if outcome.failed_on(users.PROFILE):
        raise Conflict(
            "Your profile changed meanwhile (or your account was banned); try again.", code="conflict"
        )
    if interests is not None:
        _personal_feed_now(current.user_id)
    updated = replace(
        current,
        display_name=patch.display_name if patch.display_name is not None else current.display_name,
        bio=patch.bio if patch.bio is not None else current.bio,
        interests=interests if interests is not None else current.interests,
        onboarded=current.onboarded or interests is not None,
        audience_opt_out=current.audience_opt_out
        if patch.brand_audiences is None
        else not patch.brand_audiences,
        avatar=change.avatar
        if change.avatar_upload_id
        else (None if change.remove_avatar else current.avatar),
        avatar_upload_id=change.avatar_upload_id
        or (None if change.remove_avatar else current.avatar_upload_id),
    )
    replaced = current.avatar_upload_id
    if replaced and replaced != updated.avatar_upload_id:
        _discard_avatar(replaced)
    return _me(identity, updated)


def _avatar_upload(identity: Identity, upload_id: str) -> media_store.Upload:
    upload = media_store.get_upload(upload_id)
    if upload is None:
        raise ValidationFailed(
            "No such upload.",
            [field_error("avatar_upload_id", f"unknown upload {upload_id!r}", "unknown_upload")],
        )
    if upload.owner_id != identity.user_id:
        raise Forbidden("That upload is not yours.", code="not_owner")
    if upload.status != media_store.READY:
        raise Conflict(f"The upload is {upload.status}, not ready.", code="upload_not_ready")
    if upload.post_id or (upload.avatar_of and upload.avatar_of != identity.user_id):
        raise Conflict("That upload is already used.", code="upload_already_used")
    return upload


def _discard_avatar(upload_id: str) -> None:
    """The replaced avatar's images and upload go; a failure only leaves files behind, so it is logged."""
    try:
        upload = media_store.get_upload(upload_id)
        originals = [upload.object_key] if upload else []
        objects.delete_upload_images([upload_id], originals)
        media_store.delete_uploads([upload_id])
    except Exception:  # the profile change already succeeded
        logger.exception("could not remove a replaced avatar", extra={"upload_id": upload_id})


def _checked_interests(interest_ids: list[str]) -> list[str]:
    """Distinct interest ids within the bounds, all known; a 422 naming each bad one otherwise."""
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
    return distinct


def choose_interests(identity: Identity, interest_ids: list[str]) -> list[str]:
    """Set the member's interests; repeats are harmless, only distinct ids count toward the bounds."""
    distinct = _checked_interests(interest_ids)
    _own_member(identity)
    member = users.set_interests(identity.user_id, distinct)
    if member is None:
        raise NotFound("Profile not found.")
    _personal_feed_now(identity.user_id)
    return member.interests


def _personal_feed_now(member_id: str) -> None:
    """Build the member's feed from the interests they just chose, so the next read is personal
    (issue 24: the first feed after onboarding ignored them until a planner run). One refresh
    (~5 requests) on a rare write; if it fails the queued refresh does the same work later."""
    from chalicelib.services import feeds  # feeds -> posts -> members: imported when used

    try:
        feeds.refresh_member(member_id, clock.now_iso())
    except Exception:
        logger.warning("feed refresh on an interest change failed; queued instead", exc_info=True)
        feeds.enqueue_refresh([member_id], clock.now_iso())


def get_profile(user_id: str, viewer: Identity | None) -> Profile:
    viewed = users.get_member_and_follow(user_id, viewer.user_id if viewer else None)
    member = viewed.member
    # A banned member's profile is gone for everyone but moderators (their name may be the abuse).
    if member is None or (member.banned and not (viewer and viewer.is_moderator)):
        raise NotFound("No such member.")
    return presenters.profile_out(member, viewed.followed, viewed.blocked)


def interest_catalog() -> list[Interest]:
    return sorted(
        (member_schemas.Interest(id=i.interest_id, name=i.name) for i in users.list_interests()),
        key=lambda i: i.name,
    )
