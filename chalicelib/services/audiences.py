"""Brand audiences and one-click brand communities (issue 22).

**Rows from the stream** (`apply_changes`, called by the stream worker). Every new post that
tags a brand's product, and every smile or comment on one (and their removals), changes one
**row** per (brand, member): the author's posts and what others gave them, the actor's smiles
and comments, the interests and photo labels of those posts, the last activity. Rows are sets,
so a replayed batch changes nothing. Cost per stream batch: 1 BatchGetItem of the touched posts
and profiles, at most 3 UpdateItems per touched row, 1 BatchGetItem of the rows, 1 Query of each
touched brand's audiences, and one BatchWriteItem of memberships (touched rows x the brand's
audiences, at most `MAX_AUDIENCES`): work follows what changed, never the audience's size.

**Audiences** are rules over a brand's rows (services below, pure: `signals_of`, `roles_of`,
`tags_of`, `matches`). A row that changes is evaluated against each of its brand's audiences and
its membership item written or deleted with its **automatic tags**. A new audience is filled once
from the brand's existing rows by a stream-driven pass (`backfill_step`: each step reads one page
of rows and moves the audience item's cursor; that change is the next stream record), so it is
`ready` when the pass ends. A member's profile change that moves a rule (followers, the badge,
the opt-out) re-evaluates their rows (one GSI4 Query finds them). Recency is the one rule applied
on read (a filter on the members Query): it moves with the clock, not with activity.

**Reads**: a page of members is 1 BatchGetItem (brand, audience, community), 1 Query, 1
BatchGetItem of the page's profiles (names, badges, and the opt-out, honoured again on read).

**One-click community** (`create_community`): the brand page exists for every brand (it is
served from the brand item), so the click creates the community item; its INSERT makes the stream
invite a page of `INVITE_PAGE` members, count them and move its cursor (the next record), until
the audience is done. Each invitation is created on condition that none exists for the (brand,
member): never twice, whichever audience or click. A brand sends at most `INVITES_PER_DAY`
invitations a day (a rate window of the brand's): past it the community waits (`throttled`, with
`retry_at`) and the next click after that goes on. An invitation's INSERT becomes an inbox
notification (services/inbox.py); accepting follows the brand (services/brand_pages.follow) and
counts on the community's `joined` in the transaction that answers the invitation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalice import Response

from chalicelib import clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import audiences as store
from chalicelib.data import brand_pages as brand_pages_store
from chalicelib.data import engagement as engagement_store
from chalicelib.data import ratelimits, users
from chalicelib.data.audiences import (
    ACCEPTED,
    DECLINED,
    INVITED,
    MAX_AUDIENCES,
    Audience,
    Community,
    Invitation,
    Membership,
    Row,
    RowChange,
)
from chalicelib.data.users import Member
from chalicelib.errors import Conflict, NotFound, RateLimited, ValidationFailed, field_error
from chalicelib.observability import logger, metrics
from chalicelib.schemas.audiences import (
    AudienceIn,
    AudienceMemberOut,
    AudienceMemberPage,
    AudienceOut,
    AudiencePage,
    AudienceRules,
    CommunityOut,
    InvitationOut,
)
from chalicelib.services import brand_pages
from chalicelib.services.catalog import check_owner, owned_brand
from chalicelib.services.colours import COLOUR_NAMES
from chalicelib.services.insights import _csv, influence
from chalicelib.services.presenters import author_out

ENTHUSIAST = "enthusiast"
LEADER_INFLUENCE = 3.0  # a fan is an opinion leader from this influence on (insights' formula)
TAGS_PER_KIND = 4  # interest tags and label tags a member gets, each
BACKFILL_PAGE = 100
INVITE_PAGE = 25
INVITES_PER_DAY = 1000  # per brand
INVITE_WINDOW_SECONDS = 86_400
CSV_ROWS = 5000
CSV_PAGE = 100
CLEANUP_PAGE = 100  # a deleted audience's members removed per stream step


# --- rules and tags (pure) --------------------------------------------------------------------


@dataclass(frozen=True)
class Signals:
    """What the rules and tags look at: a row's counts and the member's public profile."""

    posts: int
    engaged: int
    earned: int
    followers: int
    enthusiast: bool
    interests: frozenset[str]
    labels: frozenset[str]
    last_active: str | None


def signals_of(row: Row, member: Member) -> Signals:
    return Signals(
        posts=len(row.posted),
        engaged=len(row.engaged),
        earned=len(row.earned),
        followers=max(0, member.followers),
        enthusiast=ENTHUSIAST in member.badges,
        interests=row.interests,
        labels=row.labels,
        last_active=row.last_active,
    )


def roles_of(s: Signals) -> list[str]:
    """fans: posted about the brand; opinion leaders: fans whose influence (insights' formula over
    what others gave their brand posts, their followers and badge) reaches LEADER_INFLUENCE;
    potential customers: smiled or commented, never posted."""
    roles = []
    if s.posts > 0:
        roles.append("fans")
        if influence(s.earned, s.posts, s.followers, s.enthusiast) >= LEADER_INFLUENCE:
            roles.append("opinion_leaders")
    elif s.engaged > 0:
        roles.append("potential_customers")
    return roles


_ROLE_TAGS = {"fans": "fan", "opinion_leaders": "opinion leader", "potential_customers": "potential customer"}


def tags_of(s: Signals) -> list[str]:
    """Role tags, "enthusiast", then up to 4 interests and 4 photo labels (colour names left out:
    every photo has some), each alphabetical."""
    tags = [_ROLE_TAGS[r] for r in roles_of(s)]
    if s.enthusiast:
        tags.append(ENTHUSIAST)
    tags += sorted(s.interests)[:TAGS_PER_KIND]
    tags += [label for label in sorted(s.labels) if label not in COLOUR_NAMES][:TAGS_PER_KIND]
    return list(dict.fromkeys(tags))


def matches(rules: AudienceRules, s: Signals) -> bool:
    """Every filter but recency (applied on read): a role in the segments, any of the interests,
    any of the labels, at least the followers, the badge if asked."""
    if not set(roles_of(s)) & set(rules.segments):
        return False
    if rules.interests and not s.interests & set(rules.interests):
        return False
    if rules.labels and not s.labels & set(rules.labels):
        return False
    return s.followers >= rules.min_followers and (s.enthusiast or not rules.enthusiast)


def active_since(rules: AudienceRules, now: datetime) -> str | None:
    if rules.active_within_days is None:
        return None
    return clock.iso(now - timedelta(days=rules.active_within_days))


def _rules(audience: Audience) -> AudienceRules:
    return AudienceRules.model_validate(audience.rules)


def memberships_for(
    rows: Iterable[Row], audiences: Sequence[Audience], profiles: Mapping[str, Member]
) -> tuple[list[Membership], list[tuple[str, str]]]:
    """(memberships to write, (audience, member) to delete) for these rows and audiences."""
    puts: list[Membership] = []
    deletes: list[tuple[str, str]] = []
    for row in rows:
        member = profiles.get(row.member_id)
        signals = signals_of(row, member) if member is not None else None
        for audience in audiences:
            if (
                member is None
                or member.audience_opt_out
                or signals is None
                or not matches(_rules(audience), signals)
            ):
                deletes.append((audience.audience_id, row.member_id))
            else:
                puts.append(
                    Membership(
                        audience.audience_id,
                        row.brand_id,
                        row.member_id,
                        tags_of(signals),
                        row.last_active,
                        signals.followers,
                    )
                )
    return puts, deletes


# --- rows from the stream ---------------------------------------------------------------------

_ACTIVITY = {"post", "smile", "comment"}
_PROFILE_RULES = ("followers", "badges", "audience_opt_out")


def _earned_token(kind: str, actor: str, post_id: str, comment_id: str | None) -> str:
    """What one smile or comment gave an author: 12 hex of its identity (small, and the same on replay)."""
    raw = f"{kind}\n{actor}\n{post_id}\n{comment_id or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def row_changes(
    changes: Sequence[Any], posts: Mapping[str, Any], brands: Mapping[str, str]
) -> list[RowChange]:
    """The row changes a stream batch's posts, smiles and comments make (pure).

    `posts`: post id -> engagement_store.PostFacts (smiles and comments need their post's
    products, interests, labels); `brands`: product id -> brand id."""
    found: dict[tuple[str, str], RowChange] = {}

    def row(brand_id: str, member_id: str) -> RowChange:
        return found.setdefault((brand_id, member_id), RowChange(brand_id, member_id))

    def put(r: RowChange, name: str, element: str) -> None:
        """Add an element (the batch's last word on it wins over an earlier removal)."""
        (r.earned_add if name == "earned" else r.add.setdefault(name, set())).add(element)
        r.remove.get(name, set()).discard(element)

    def drop(r: RowChange, name: str, element: str) -> None:
        r.remove.setdefault(name, set()).add(element)
        (r.earned_add if name == "earned" else r.add.get(name, set())).discard(element)

    for change in changes:
        entity = change.entity
        if entity not in _ACTIVITY or change.name not in ("INSERT", "REMOVE"):
            continue
        image = (change.new if change.name == "INSERT" else change.old) or {}
        post_id = str(image.get("post_id", ""))
        adding = change.name == "INSERT"
        if entity == "post":
            products = [str(p) for p in image.get("product_ids") or []]
            facts = posts.get(post_id)
            if adding and (facts is None or not facts.live):
                continue
            for brand_id in {brands[p] for p in products if p in brands}:
                r = row(brand_id, str(image["author_id"]))
                if adding:
                    put(r, "posted", post_id)
                    r.add.setdefault("interests", set()).update(facts.interests)
                    r.add.setdefault("labels", set()).update(facts.labels)
                    r.last_active = max(r.last_active or "", str(image.get("created_at", ""))) or None
                else:
                    drop(r, "posted", post_id)
            continue
        facts = posts.get(post_id)
        if facts is None or not facts.live:
            continue  # unknown or deleted post: its history stays as it was
        if entity == "smile":
            actor, comment_id, element = str(image.get("user_id", "")), None, f"s:{post_id}"
        else:
            actor = str(image.get("author_id", ""))
            comment_id = str(image.get("comment_id", ""))
            element = f"c:{comment_id}"
        if not actor or actor == facts.author_id:
            continue  # self-engagement never counts
        token = _earned_token(entity, actor, post_id, comment_id)
        for brand_id in {brands[p] for p in facts.product_ids if p in brands}:
            engaged, author = row(brand_id, actor), row(brand_id, facts.author_id)
            if adding:
                put(engaged, "engaged", element)
                engaged.add.setdefault("interests", set()).update(facts.interests)
                engaged.add.setdefault("labels", set()).update(facts.labels)
                engaged.last_active = max(engaged.last_active or "", str(image.get("created_at", ""))) or None
                put(author, "earned", token)
            else:
                drop(engaged, "engaged", element)
                drop(author, "earned", token)
    return list(found.values())


def _changed_rules(change: Any) -> bool:
    if change.entity != "user" or change.name != "MODIFY":
        return False
    new, old = change.new or {}, change.old or {}
    return any(new.get(a) != old.get(a) for a in _PROFILE_RULES)


def _step_of(change: Any, attribute: str) -> bool:
    """A new audience or community, or one whose step moved: the stream's cue to do the next page."""
    if change.name == "INSERT":
        return True
    if change.name != "MODIFY":
        return False
    return (change.new or {}).get(attribute) != (change.old or {}).get(attribute)


def apply_changes(changes: Iterable[Any], now: datetime | None = None) -> int:
    """One stream batch: rows, memberships, backfill and invitation steps. Returns rows touched."""
    moment = now or clock.now()
    batch = list(changes)
    activity = [c for c in batch if c.entity in _ACTIVITY]
    touched = _apply_activity(activity) if activity else 0
    for change in batch:
        image = change.new or {}
        if _changed_rules(change):
            reevaluate_member(str(image["user_id"]))
            continue
        brand_id, audience_id = str(image.get("brand_id", "")), str(image.get("audience_id", ""))
        if change.entity == "audience" and _step_of(change, "backfill_step") and not image.get("backfilled"):
            backfill_step(brand_id, audience_id, int(image.get("backfill_step") or 0))
        elif change.entity == "community" and _step_of(change, "step") and image.get("status") == "inviting":
            invite_step(brand_id, audience_id, int(image.get("step") or 0), moment)
        elif change.entity == "audience_cleanup" and _step_of(change, "step"):
            cleanup_step(audience_id, int(image.get("step") or 0))
    return touched


def _apply_activity(activity: Sequence[Any]) -> int:
    post_ids = [str((c.new or c.old or {}).get("post_id", "")) for c in activity]
    posts = engagement_store.post_facts(post_ids)
    products = [str(p) for c in activity for p in ((c.new or c.old or {}).get("product_ids") or [])]
    products += [p for f in posts.values() for p in f.product_ids]
    brands = engagement_store.product_brands(products) if products else {}
    changes = row_changes(activity, posts, brands)
    if not changes:
        return 0
    profiles = users.get_members({c.member_id for c in changes})
    kept = [c for c in changes if c.member_id in profiles and not profiles[c.member_id].audience_opt_out]
    for change in kept:
        store.apply_row_change(change)
    rows = store.get_rows((c.brand_id, c.member_id) for c in kept)
    by_brand: dict[str, list[Row]] = {}
    for row in rows.values():
        by_brand.setdefault(row.brand_id, []).append(row)
    puts: list[Membership] = []
    deletes: list[tuple[str, str]] = []
    for brand_id, brand_rows in by_brand.items():
        audiences, _ = store.brand_audiences(brand_id)
        p, d = memberships_for(brand_rows, audiences, profiles)
        puts += p
        deletes += d
    store.write_memberships(puts, deletes)
    return len(kept)


def reevaluate_member(member_id: str) -> int:
    """A rule-moving profile change: the member's rows against their brands' audiences again."""
    brand_ids = store.member_row_brands(member_id)
    if not brand_ids:
        return 0
    profiles = users.get_members([member_id])
    rows = store.get_rows((b, member_id) for b in brand_ids)
    puts: list[Membership] = []
    deletes: list[tuple[str, str]] = []
    for brand_id in brand_ids:
        audiences, _ = store.brand_audiences(brand_id)
        row = rows.get((brand_id, member_id)) or Row(brand_id, member_id)
        p, d = memberships_for([row], audiences, profiles)
        puts += p
        deletes += d
    store.write_memberships(puts, deletes)
    return len(brand_ids)


def backfill_step(brand_id: str, audience_id: str, step: int) -> bool:
    """Fill a new audience with one page of the brand's rows, then move its cursor (once)."""
    _, audience, _ = store.audience_view(brand_id, audience_id)
    if audience is None or audience.backfilled or audience.backfill_step != step:
        return False  # gone, done, or a replayed record of a step already taken
    page = store.rows_page(brand_id, BACKFILL_PAGE, audience.backfill_cursor)
    profiles = users.get_members({r.member_id for r in page.items}) if page.items else {}
    puts, _ = memberships_for(page.items, [audience], profiles)
    store.write_memberships(puts, [])
    return store.advance_backfill(audience, page.last_key)


def invite_step(brand_id: str, audience_id: str, step: int, now: datetime) -> int:
    """Invite one page of the audience's members (never twice), count them, move the cursor."""
    brand, audience, community = store.audience_view(brand_id, audience_id)
    if brand is None or audience is None or community is None:
        return 0
    if community.status != "inviting" or community.step != step:
        return 0  # a replayed record of a step already taken
    page = store.members_page(audience_id, INVITE_PAGE, community.cursor, active_since(_rules(audience), now))
    profiles = users.get_members({m.member_id for m in page.items}) if page.items else {}
    eligible = [
        m.member_id
        for m in page.items
        if m.member_id in profiles and not profiles[m.member_id].audience_opt_out
    ]
    if eligible:
        verdict = ratelimits.hit(
            "invitations",
            f"brand:{brand_id}",
            limit=INVITES_PER_DAY,
            window_seconds=INVITE_WINDOW_SECONDS,
            now=now.timestamp(),
            amount=len(eligible),
        )
        if not verdict.allowed:
            retry_at = clock.iso(now + timedelta(seconds=verdict.retry_after))
            store.advance_community(community, community.cursor, 0, "throttled", retry_at)
            metrics.add_metric(name="CommunityInvitationsThrottled", unit="Count", value=1)
            return 0
    created_at = clock.iso(now)
    invited = sum(
        store.put_invitation(Invitation(brand_id, member_id, audience_id, INVITED, created_at))
        for member_id in eligible
    )
    status = "inviting" if page.last_key else "done"
    if not store.advance_community(community, page.last_key, invited, status):
        logger.info("community step raced", extra={"brand_id": brand_id, "audience_id": audience_id})
    if invited:
        metrics.add_metric(name="CommunityInvitations", unit="Count", value=invited)
    return invited


# --- routes -----------------------------------------------------------------------------------


def _community_out(brand_id: str, community: Community | None) -> CommunityOut | None:
    if community is None:
        return None
    return CommunityOut(
        status=community.status,  # type: ignore[arg-type]
        invited=community.invited,
        joined=community.joined,
        retry_at=community.retry_at,
        brand_page=f"/brands/{brand_id}/page",
    )


def audience_out(audience: Audience, community: Community | None) -> AudienceOut:
    return AudienceOut(
        id=audience.audience_id,
        name=audience.name,
        rules=_rules(audience),
        created_at=audience.created_at,
        ready=audience.backfilled,
        community=_community_out(audience.brand_id, community),
    )


def create_audience(identity: Identity, brand_id: str, data: AudienceIn) -> AudienceOut:
    brand = owned_brand(identity, brand_id)
    known = users.find_interests(data.rules.interests) if data.rules.interests else {}
    unknown = [
        field_error(f"rules.interests.{i}", f"{interest!r} is not an interest", "unknown_interest")
        for i, interest in enumerate(data.rules.interests)
        if interest not in known
    ]
    if unknown:
        raise ValidationFailed("Some interests are unknown.", unknown)
    existing, _ = store.brand_audiences(brand.brand_id)
    if len(existing) >= MAX_AUDIENCES:
        raise Conflict(f"A brand keeps at most {MAX_AUDIENCES} audiences.", code="too_many_audiences")
    audience = Audience(
        ids.new_id("aud"),
        brand.brand_id,
        data.name,
        data.rules.model_dump(mode="json"),
        clock.now_iso(),
    )
    if not store.put_audience(audience):
        raise Conflict("That audience could not be created; try again.", code="conflict")
    metrics.add_metric(name="AudienceCreated", unit="Count", value=1)
    return audience_out(audience, None)


def list_audiences(identity: Identity, brand_id: str, limit: int, cursor: str | None) -> AudiencePage:
    """The brand's audiences, oldest first: one Query (at most MAX_AUDIENCES, paged here)."""
    brand = owned_brand(identity, brand_id)
    scope = f"audiences/{brand.brand_id}"
    offset = int((cursors.decode(cursor, scope=scope) or {}).get("i", 0))
    audiences, communities = store.brand_audiences(brand.brand_id)
    page = audiences[offset : offset + limit]
    more = len(audiences) > offset + limit
    return AudiencePage(
        items=[audience_out(a, communities.get(a.audience_id)) for a in page],
        next_cursor=cursors.encode({"i": offset + limit}, scope=scope) if more else None,
    )


def _owned_audience(identity: Identity, brand_id: str, audience_id: str) -> tuple[Audience, Community | None]:
    brand, audience, community = store.audience_view(brand_id, audience_id)
    check_owner(identity, brand)
    if audience is None:
        raise NotFound("No such audience.")
    return audience, community


def get_audience(identity: Identity, brand_id: str, audience_id: str) -> AudienceOut:
    return audience_out(*_owned_audience(identity, brand_id, audience_id))


def _member_rows(page: Sequence[Membership]) -> list[AudienceMemberOut]:
    profiles = users.get_members({m.member_id for m in page}) if page else {}
    return [
        AudienceMemberOut(
            member=author_out(m.member_id, profiles[m.member_id]),
            tags=m.tags,
            followers=m.followers,
            last_active=m.last_active,
        )
        for m in page
        if m.member_id in profiles and not profiles[m.member_id].audience_opt_out
    ]


def audience_members(
    identity: Identity, brand_id: str, audience_id: str, limit: int, cursor: str | None, as_csv: bool
) -> AudienceMemberPage | Response:
    """A page of members with their tags (3 requests), or up to CSV_ROWS of them as CSV."""
    audience, _ = _owned_audience(identity, brand_id, audience_id)
    since = active_since(_rules(audience), clock.now())
    scope = f"audiences/{brand_id}/{audience_id}/members"
    if as_csv:
        rows: list[AudienceMemberOut] = []
        start = None
        while len(rows) < CSV_ROWS:
            page = store.members_page(audience_id, CSV_PAGE, start, since)
            rows += _member_rows(page.items)
            if page.last_key is None:
                break
            start = page.last_key
        return _csv(rows[:CSV_ROWS], AudienceMemberOut, f"{brand_id}-{audience_id}-members.csv")
    page = store.members_page(audience_id, limit, cursors.decode(cursor, scope=scope), since)
    return AudienceMemberPage(
        items=_member_rows(page.items), next_cursor=cursors.encode(page.last_key, scope=scope)
    )


def create_community(identity: Identity, brand_id: str, audience_id: str) -> AudienceOut:
    """One click: the community starts inviting (or goes on, or invites who joined since)."""
    audience, community = _owned_audience(identity, brand_id, audience_id)
    if not audience.backfilled:
        raise Conflict(
            "The audience is still being filled from the brand's members: try again in a moment.",
            code="audience_not_ready",
        )
    now = clock.now()
    if community is None:
        fresh = Community(brand_id, audience_id, "inviting", clock.iso(now))
        store.put_community(fresh)  # a concurrent click created it: the same community either way
        metrics.add_metric(name="CommunityCreated", unit="Count", value=1)
    elif community.status == "throttled":
        if community.retry_at and community.retry_at > clock.iso(now):
            wait = (datetime.fromisoformat(community.retry_at.replace("Z", "+00:00")) - now).total_seconds()
            raise RateLimited(
                f"This brand sends at most {INVITES_PER_DAY} invitations a day: "
                f"go on after {community.retry_at}.",
                retry_after=max(1, int(wait)),
            )
        store.restart_community(community, from_start=False)
    elif community.status == "done":
        store.restart_community(community, from_start=True)  # those who joined since; never twice
    _, audience_now, community_now = store.audience_view(brand_id, audience_id)
    return audience_out(audience_now or audience, community_now)


def delete_audience(identity: Identity, brand_id: str, audience_id: str) -> None:
    """Delete an audience and its community (409 `audience_in_use` while a campaign that has not
    ended targets it). Three items go in one transaction whatever the audience's size; its members
    are removed by the stream, `CLEANUP_PAGE` at a time (`cleanup_step`). Invitations already sent
    stay (they are the brand's: accepting still follows it); rows are the brand's, not the audience's."""
    _owned_audience(identity, brand_id, audience_id)
    targeting = store.live_campaigns_targeting(brand_id, audience_id, clock.now().date().isoformat())
    if targeting:
        raise Conflict(
            "A campaign that has not ended targets this audience: end it or change its audience first.",
            code="audience_in_use",
            details=[
                {"field": "campaign_id", "message": f"{c}: targets this audience", "type": "audience_in_use"}
                for c in targeting
            ],
        )
    if not store.delete_audience(brand_id, audience_id, clock.now_iso()):
        raise NotFound("No such audience.")
    metrics.add_metric(name="AudienceDeleted", unit="Count", value=1)


def cleanup_step(audience_id: str, step: int) -> bool | None:
    """One page of a deleted audience's members removed (from the stream: the marker's INSERT, then
    each move of its step)."""
    return store.cleanup_step(audience_id, step, CLEANUP_PAGE)


def _invitation(identity: Identity, brand_id: str) -> Invitation:
    invitation = store.get_invitation(brand_id, identity.user_id)
    if invitation is None:
        raise NotFound("No invitation from this brand.")
    return invitation


def accept_invitation(identity: Identity, brand_id: str) -> InvitationOut:
    """Follow the brand (idempotent), then the invitation is accepted and counted once."""
    invitation = _invitation(identity, brand_id)
    brand_pages.follow(identity, brand_id)
    if invitation.status != ACCEPTED and store.answer_invitation(invitation, ACCEPTED, clock.now_iso()):
        metrics.add_metric(name="CommunityJoined", unit="Count", value=1)
    return InvitationOut(brand_id=brand_id, status=ACCEPTED, following=True)


def decline_invitation(identity: Identity, brand_id: str) -> InvitationOut:
    invitation = _invitation(identity, brand_id)
    if invitation.status == INVITED:
        store.answer_invitation(invitation, DECLINED, clock.now_iso())
    status = DECLINED if invitation.status == INVITED else invitation.status
    following = brand_id in brand_pages_store.followed_brand_ids(identity.user_id)
    return InvitationOut(brand_id=brand_id, status=status, following=following)  # type: ignore[arg-type]
