"""Campaign targeting (issue 22): the audience a campaign reaches and the posts it features, edited
while it runs, and ending it early.

A campaign may name one of its brand's audiences and up to 20 featured posts; each featured post
must be featurable (services/rights.py: the author approved the brand's rights request), else 409
`not_featurable`. Checks cost one GetItem (the audience, only when one is named) and one
BatchGetItem (the featured posts and their rights requests, only when some are named).
Ending a campaign sets its last day to today (or its first day, if it has not started) and stamps
`ended_at`; an ended campaign can no longer be edited or ended (409 `campaign_ended`), and the
aggregator is told to stop attributing to it after its new last day (`tracked`, in the brand's
queue order).

Reaching people (services/featured.py): a campaign with an audience is kept in that audience's
campaign index (data/featured.py) while it has not ended: written when it is created, edited
(moved when its audience changes) or ended (taken out): one GetItem and one PutItem per audience
touched. The report's lift against the holdout: `holdout_lift`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib import clock
from chalicelib.auth import Identity
from chalicelib.data import audiences as audience_store
from chalicelib.data import brands as brand_store
from chalicelib.data import featured as featured_store
from chalicelib.data.brands import Campaign
from chalicelib.data.catalog import Brand
from chalicelib.data.featured import Groups, LiveCampaign
from chalicelib.data.summaries import TrackedCampaign
from chalicelib.errors import Conflict, NotFound, ValidationFailed, field_error
from chalicelib.schemas.brands import CampaignOut, CampaignPatch, GroupOut, HoldoutLift
from chalicelib.schemas.dates import stored_day
from chalicelib.services import engagement, rights
from chalicelib.services.catalog import owned_brand


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.campaign_id,
        name=campaign.name,
        product_ids=campaign.product_ids,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        audience_id=campaign.audience_id,
        featured_post_ids=campaign.featured_post_ids,
        ended_at=campaign.ended_at,
    )


def check_targeting(brand_id: str, audience_id: str | None, featured_post_ids: list[str]) -> None:
    """422 `unknown_audience` unless the audience is the brand's; 409 `not_featurable` unless
    every featured post may be featured by the brand."""
    if audience_id is not None and audience_store.get_audience(brand_id, audience_id) is None:
        raise ValidationFailed(
            "No such audience for this brand.",
            [
                field_error(
                    "audience_id", f"{audience_id!r} is not an audience of this brand", "unknown_audience"
                )
            ],
        )
    if featured_post_ids:
        _, allowed = rights.featurable_posts(brand_id, featured_post_ids)
        rights.refuse_unfeaturable(featured_post_ids, allowed, "featured_post_ids")


def tracked(campaign: Campaign) -> TrackedCampaign:
    """What the aggregator attributes for a campaign: its days, and as many just before it (the
    longest previous window a report compares with); `starts`: its own first day."""
    first, last = stored_day(campaign.starts_at), stored_day(campaign.ends_at)
    length = (last - first).days + 1
    return TrackedCampaign(
        campaign.campaign_id,
        frozenset(campaign.product_ids),
        (first - timedelta(days=length)).isoformat(),
        last.isoformat(),
        first.isoformat(),
    )


def publish(brand: Brand, campaign: Campaign, previous_audience: str | None = None) -> None:
    """Keep the audience campaign index in step with the campaign (see the module's docstring)."""
    today = clock.now().date().isoformat()
    if previous_audience and previous_audience != campaign.audience_id:
        featured_store.set_live(previous_audience, None, campaign.campaign_id, today)
    if campaign.audience_id:
        live = LiveCampaign(
            campaign.campaign_id,
            brand.brand_id,
            brand.name,
            stored_day(campaign.starts_at).isoformat(),
            stored_day(campaign.ends_at).isoformat(),
            tuple(campaign.featured_post_ids),
        )
        featured_store.set_live(
            campaign.audience_id, None if campaign.ended_at else live, campaign.campaign_id, today
        )


def holdout_lift(groups: Groups | None, targeted: bool) -> HoldoutLift:
    """Treated and holdout members, those who engaged, rates, and lift = treated rate / holdout
    rate - 1; null with its reason where it cannot be said (docs/api.md)."""
    found = groups or Groups()

    def group(members: int, engaged: int) -> GroupOut:
        rate = round(engaged / members, 4) if members else None
        return GroupOut(members=members, engaged=engaged, rate=rate)

    treated = group(found.treated, found.treated_engaged)
    holdout = group(found.holdout, found.holdout_engaged)
    lift: float | None = None
    reason: str | None = None
    if not targeted and not (found.treated or found.holdout):
        reason = "no_audience"
    elif not holdout.members:
        reason = "empty_holdout"
    elif not treated.members:
        reason = "empty_treated"
    elif not holdout.rate:
        reason = "zero_holdout_rate"
    else:
        lift = round((treated.rate or 0.0) / holdout.rate - 1, 4)
    return HoldoutLift(treated=treated, holdout=holdout, lift=lift, reason=reason)  # type: ignore[arg-type]


def _owned_campaign(identity: Identity, brand_id: str, campaign_id: str) -> tuple[Brand, Campaign]:
    brand = owned_brand(identity, brand_id)
    campaign = brand_store.get_campaign(brand.brand_id, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    if campaign.ended_at is not None:
        raise Conflict("That campaign has ended.", code="campaign_ended")
    return brand, campaign


def update_campaign(identity: Identity, brand_id: str, campaign_id: str, data: CampaignPatch) -> CampaignOut:
    brand, campaign = _owned_campaign(identity, brand_id, campaign_id)
    given = data.model_fields_set
    audience_id = data.audience_id if "audience_id" in given else campaign.audience_id
    featured = (
        list(dict.fromkeys(data.featured_post_ids))
        if "featured_post_ids" in given and data.featured_post_ids is not None
        else campaign.featured_post_ids
    )
    # Only what changes is checked: a post featured before stays, even if its rights changed since
    # (the feed checks featurability when it serves the slot).
    added = [p for p in featured if p not in campaign.featured_post_ids]
    check_targeting(campaign.brand_id, audience_id if audience_id != campaign.audience_id else None, added)
    changed = replace(
        campaign,
        name=data.name if data.name is not None else campaign.name,
        audience_id=audience_id,
        featured_post_ids=featured,
    )
    if not brand_store.update_campaign(changed):
        raise Conflict("That campaign has ended.", code="campaign_ended")
    publish(brand, changed, campaign.audience_id)
    return campaign_out(changed)


def end_campaign(identity: Identity, brand_id: str, campaign_id: str) -> CampaignOut:
    brand, campaign = _owned_campaign(identity, brand_id, campaign_id)
    today = clock.now().date().isoformat()
    ends_at = min(campaign.ends_at, max(campaign.starts_at, today))
    ended_at = clock.now_iso()
    if not brand_store.end_campaign(campaign.brand_id, campaign.campaign_id, ends_at, ended_at):
        raise Conflict("That campaign has ended.", code="campaign_ended")
    ended = replace(campaign, ends_at=ends_at, ended_at=ended_at)
    publish(brand, ended)
    engagement.track_campaign(campaign.brand_id, tracked(ended), ended=True)
    return campaign_out(ended)
