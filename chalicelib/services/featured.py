"""Campaigns that reach people (issue 22): the "Featured by <brand>" slot in members' feeds, the
holdout that never sees it, and which group each reached member is in.

- **Who**: a member whose feed is refreshed while a campaign runs, who is in the campaign's
  audience and has not opted out of brand audiences (PATCH /me `brand_audiences`), is *assigned*
  to the campaign once: to its **holdout** when `in_holdout` (a hash of campaign id and member id:
  a deterministic ~10% of every audience, stable across refreshes and processes), else to the
  **treated** group. Both groups are counted (data/featured.py), so the report compares like with
  like: members the campaign could reach, with and without the slot.
- **What**: treated members get the campaign's featured posts that are featurable now
  (services/rights.py's rule: the author approved the brand's request and the post is live), one
  per slot, campaigns taking turns, never their own post; a featured post their feed holds anyway
  moves to its featured slot (shown once).
- **Where**: slots are placed in the ranked feed at card FEATURED_FIRST, then every FEATURED_EVERY
  cards, so any FEATURED_EVERY consecutive cards of a generation hold at most one featured card.
- **Never stale**: the page that serves a featured card re-checks, in the BatchGetItem it already
  makes, that the rights are still approved, the campaign not ended (early, or by date) and the
  viewer not opted out; a card failing any check is left out of the page (`still_shown`).

Cost, per refresh: one Query (the member's audiences, GSI4 keys only) and the audience index items
in the refresh's existing BatchGetItem; for a member in a running campaign's audience, one
BatchGetItem per brand featured (its posts and rights requests) and, once per campaign, one
transaction (the membership and its group's size).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from chalicelib.data import featured as store
from chalicelib.data.featured import HOLDOUT, TREATED, LiveCampaign

HOLDOUT_PER_MILLE = 100  # ~10% of each audience
FEATURED_FIRST = 3  # the first featured card is the 4th of the feed
FEATURED_EVERY = 20  # at most one featured card in any 20 consecutive cards
MAX_CAMPAIGNS = 5  # running campaigns one refresh assigns and features from

T = TypeVar("T")


def in_holdout(campaign_id: str, member_id: str) -> bool:
    """Deterministic: the same member is in (or out of) a campaign's holdout on every refresh."""
    digest = hashlib.blake2b(f"{campaign_id}\x00{member_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 1000 < HOLDOUT_PER_MILLE


def group_of(campaign_id: str, member_id: str) -> str:
    return HOLDOUT if in_holdout(campaign_id, member_id) else TREATED


@dataclass(frozen=True)
class Card:
    """A featured card for one member's feed."""

    post_id: str
    author_id: str
    brand_id: str
    brand_name: str
    campaign_id: str
    last: str  # the campaign's last day (ISO): past it, the page leaves the card out


def running(campaigns: Iterable[LiveCampaign], today: str) -> list[LiveCampaign]:
    """The campaigns running today, each once (a member may reach one through two audiences)."""
    found: dict[str, LiveCampaign] = {}
    for campaign in campaigns:
        if campaign.first <= today <= campaign.last:
            found.setdefault(campaign.campaign_id, campaign)
    return sorted(found.values(), key=lambda c: (c.first, c.campaign_id))[:MAX_CAMPAIGNS]


def assign(member_id: str, live: Sequence[LiveCampaign], assigned: frozenset[str], at: str) -> frozenset[str]:
    """Assign the member to each running campaign not assigned before; returns the running
    campaigns they are assigned to (what their feed's head remembers, so this writes once)."""
    for campaign in live:
        if campaign.campaign_id not in assigned:
            group = group_of(campaign.campaign_id, member_id)
            store.assign(campaign.brand_id, campaign.campaign_id, member_id, group, at)
    return frozenset(c.campaign_id for c in live)


def cards_for(member_id: str, live: Sequence[LiveCampaign]) -> list[Card]:
    """The treated member's featured cards, campaigns taking turns (one BatchGetItem per brand)."""
    from chalicelib.services import rights  # only refreshes need it, not the feed's read path

    treated = [c for c in live if c.posts and group_of(c.campaign_id, member_id) == TREATED]
    queues: list[list[Card]] = []
    for brand_id in dict.fromkeys(c.brand_id for c in treated):
        mine = [c for c in treated if c.brand_id == brand_id]
        found, allowed = rights.featurable_posts(brand_id, [p for c in mine for p in c.posts])
        ok = set(allowed)
        for campaign in mine:
            queues.append(
                [
                    Card(p, found.posts[p].author_id, brand_id, *campaign_of(campaign))
                    for p in dict.fromkeys(campaign.posts)
                    if p in ok and found.posts[p].author_id != member_id
                ]
            )
    cards: list[Card] = []
    used: set[str] = set()
    while any(queues):
        for queue in queues:
            while queue:
                card = queue.pop(0)
                if card.post_id not in used:
                    used.add(card.post_id)
                    cards.append(card)
                    break
    return cards


def campaign_of(campaign: LiveCampaign) -> tuple[str, str, str]:
    return campaign.brand_name, campaign.campaign_id, campaign.last


def interleave(entries: Sequence[T], cards: Sequence[T]) -> list[T]:
    """The ranked entries with the cards placed at FEATURED_FIRST, then every FEATURED_EVERY
    (a card only where ranked entries follow it, but the first: a feed shorter than FEATURED_FIRST
    ends with it)."""
    out: list[T] = []
    pending = list(cards)
    slot = FEATURED_FIRST
    for entry in entries:
        if pending and len(out) == slot:
            out.append(pending.pop(0))
            slot += FEATURED_EVERY
        out.append(entry)
    if pending and slot == FEATURED_FIRST:
        out.append(pending[0])
    return out


def still_shown(
    post_id: str,
    brand_id: str,
    campaign_id: str,
    last: str,
    today: str,
    featurable: set[tuple[str, str]],
    open_campaigns: set[str],
    viewer_opted_out: bool,
) -> bool:
    """The page-time check of a featured card (what the page's BatchGetItem found)."""
    return (
        not viewer_opted_out
        and today <= last
        and (post_id, brand_id) in featurable
        and campaign_id in open_campaigns
    )


def count_engaged(brand_id: str, pairs: Sequence[tuple[str, str]], at: str) -> int:
    """(campaign, member) pairs who engaged: each assigned member counted once in their group's
    engaged members (one consistent BatchGetItem, one transaction per member not counted yet).
    Members not assigned (never refreshed while it ran, or not in its audience) count nowhere."""
    found = store.memberships(pairs)
    counted = 0
    for (campaign_id, member_id), (group, engaged) in found.items():
        if not engaged and store.mark_engaged(brand_id, campaign_id, member_id, group, at):
            counted += 1
    return counted
