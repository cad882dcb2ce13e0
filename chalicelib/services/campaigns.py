"""Campaign targeting (issue 22): the audience a campaign reaches and the posts it features, edited
while it runs, and ending it early.

A campaign may name one of its brand's audiences and up to 20 featured posts; each featured post
must be featurable (services/rights.py: the author approved the brand's rights request), else 409
`not_featurable`. Checks cost one GetItem (the audience, only when one is named) and one
BatchGetItem (the featured posts and their rights requests, only when some are named).
Ending a campaign sets its last day to today (or its first day, if it has not started) and stamps
`ended_at`; an ended campaign can no longer be edited or ended (409 `campaign_ended`).
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib import clock
from chalicelib.auth import Identity
from chalicelib.data import audiences as audience_store
from chalicelib.data import brands as brand_store
from chalicelib.data.brands import Campaign
from chalicelib.errors import Conflict, NotFound, ValidationFailed, field_error
from chalicelib.schemas.brands import CampaignOut, CampaignPatch
from chalicelib.services import rights
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


def _owned_campaign(identity: Identity, brand_id: str, campaign_id: str) -> Campaign:
    brand = owned_brand(identity, brand_id)
    campaign = brand_store.get_campaign(brand.brand_id, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    if campaign.ended_at is not None:
        raise Conflict("That campaign has ended.", code="campaign_ended")
    return campaign


def update_campaign(identity: Identity, brand_id: str, campaign_id: str, data: CampaignPatch) -> CampaignOut:
    campaign = _owned_campaign(identity, brand_id, campaign_id)
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
    return campaign_out(changed)


def end_campaign(identity: Identity, brand_id: str, campaign_id: str) -> CampaignOut:
    campaign = _owned_campaign(identity, brand_id, campaign_id)
    today = clock.now().date().isoformat()
    ends_at = min(campaign.ends_at, max(campaign.starts_at, today))
    ended_at = clock.now_iso()
    if not brand_store.end_campaign(campaign.brand_id, campaign.campaign_id, ends_at, ended_at):
        raise Conflict("That campaign has ended.", code="campaign_ended")
    return campaign_out(replace(campaign, ends_at=ends_at, ended_at=ended_at))
