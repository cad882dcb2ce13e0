"""Routes: brands, brand insights and campaigns (brand accounts, owners only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.brands import (
        BrandIn,
        BrandOut,
        CampaignIn,
        CampaignOut,
        CampaignPage,
        CampaignPatch,
        CampaignQuery,
        CampaignReport,
        InsightsListQuery,
        InsightsOut,
        WindowQuery,
    )

# Imported by the first request that needs it (chalicelib/lazy.py).
brands = lazy_module("chalicelib.services.brands")
insights = lazy_module("chalicelib.services.insights")
campaigns = lazy_module("chalicelib.services.campaigns")

brands_blueprint = Blueprint(__name__)
TAG = "brands"


@endpoint(
    brands_blueprint,
    "/brands",
    "POST",
    summary="Create a brand the caller owns",
    access=Access.BRAND,
    tag=TAG,
    body="brands.BrandIn",
    response="brands.BrandOut",
    status=201,
    errors=(403, 409, 422),
    rate_limit="brands",
)
def create_brand(call: Call[BrandIn, Any]) -> BrandOut:
    return brands.create_brand(call.member, call.body)


@endpoint(
    brands_blueprint,
    "/brands/{brand_id}/insights",
    "GET",
    summary="Engagement with the posts that tag the brand's products, over a window of days",
    access=Access.BRAND,
    tag=TAG,
    query="brands.WindowQuery",
    response="brands.InsightsOut",
    errors=(403, 404),
)
def get_insights(call: Call[Any, WindowQuery]) -> InsightsOut:
    return insights.insights(call.member, call.params["brand_id"], call.query.from_, call.query.to)


def _list_route(name: str, page: str, summary: str) -> None:
    """`GET /brands/{brand_id}/insights/<name>`: one insights list, paged, or all of it as CSV."""

    def view(call: Call[Any, InsightsListQuery]) -> Any:
        query = call.query
        return insights.insights_list(
            call.member,
            call.params["brand_id"],
            name,
            query.from_,
            query.to,
            query.limit,
            query.cursor,
            as_csv=query.format == "csv",
        )

    view.__name__ = f"get_insights_{name.replace('-', '_')}"
    endpoint(
        brands_blueprint,
        f"/brands/{{brand_id}}/insights/{name}",
        "GET",
        summary=summary + " (?format=csv: the whole list as text/csv)",
        access=Access.BRAND,
        tag=TAG,
        query="brands.InsightsListQuery",
        response=page,
        errors=(403, 404),
        csv=True,
    )(view)


for _name, _page, _summary in (
    ("products", "brands.ProductFunnelPage", "The hotspot funnel per product, by impressions"),
    ("fans", "brands.FanPage", "Members who posted about the brand, by posts"),
    (
        "opinion-leaders",
        "brands.LeaderPage",
        "Members whose brand posts earn the most engagement, by influence",
    ),
    (
        "potential-customers",
        "brands.ProspectPage",
        "Members who smiled or commented and never posted about the brand",
    ),
    ("top-posts", "brands.TopPostPage", "Creatives by smoothed engagement rate"),
    ("interests", "brands.InterestPage", "Interests of the brand's posts, by engagement"),
    ("labels", "brands.LabelPage", "What the brand's photos show, by posts"),
):
    _list_route(_name, _page, _summary)


@endpoint(
    brands_blueprint,
    "/brands/{brand_id}/campaigns",
    "POST",
    summary="Create a campaign over some of the brand's products",
    access=Access.BRAND,
    tag=TAG,
    body="brands.CampaignIn",
    response="brands.CampaignOut",
    status=201,
    errors=(403, 404, 409, 422),
    rate_limit="brands",
)
def create_campaign(call: Call[CampaignIn, Any]) -> CampaignOut:
    return insights.create_campaign(call.member, call.params["brand_id"], call.body)


@endpoint(
    brands_blueprint,
    "/brands/{brand_id}/campaigns",
    "GET",
    summary="The brand's campaigns, newest first",
    access=Access.BRAND,
    tag=TAG,
    query="brands.CampaignQuery",
    response="brands.CampaignPage",
    errors=(403, 404),
)
def list_campaigns(call: Call[Any, CampaignQuery]) -> CampaignPage:
    return insights.list_campaigns(call.member, call.params["brand_id"], call.query.limit, call.query.cursor)


@endpoint(
    brands_blueprint,
    "/brands/{brand_id}/campaigns/{campaign_id}",
    "GET",
    summary="A campaign with its metrics, the previous window's and the lift",
    access=Access.BRAND,
    tag=TAG,
    response="brands.CampaignReport",
    errors=(403, 404),
)
def get_campaign(call: Call[Any, Any]) -> CampaignReport:
    return insights.campaign_report(call.member, call.params["brand_id"], call.params["campaign_id"])


@endpoint(
    brands_blueprint,
    "/brands/{brand_id}/campaigns/{campaign_id}",
    "PATCH",
    summary="Change a running or scheduled campaign's name, audience or featured posts",
    access=Access.BRAND,
    tag=TAG,
    body="brands.CampaignPatch",
    response="brands.CampaignOut",
    errors=(403, 404, 409, 422),
    rate_limit="brands",
)
def update_campaign(call: Call[CampaignPatch, Any]) -> CampaignOut:
    return campaigns.update_campaign(
        call.member, call.params["brand_id"], call.params["campaign_id"], call.body
    )


@endpoint(
    brands_blueprint,
    "/brands/{brand_id}/campaigns/{campaign_id}/end",
    "POST",
    summary="End a campaign now: its last day becomes today and its featured slot stops",
    access=Access.BRAND,
    tag=TAG,
    response="brands.CampaignOut",
    errors=(403, 404, 409),
    rate_limit="brands",
)
def end_campaign(call: Call[Any, Any]) -> CampaignOut:
    return campaigns.end_campaign(call.member, call.params["brand_id"], call.params["campaign_id"])
