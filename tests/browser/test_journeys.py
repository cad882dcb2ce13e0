"""What a person does in the web client, in a real browser, against the real local stack."""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from local.demo_data import DEMO_PASSWORD
from local.demo_images import jpeg, scene
from tests.browser.conftest import DESKTOP, PHONE, Journey
from tests.support.local_stack import LocalStack
from tests.unit.srp_server import SrpServer

# One stack for the tier (tests/support/local_stack.py); under xdist, one worker runs them all: one browser.
pytestmark = [pytest.mark.timeout(420), pytest.mark.xdist_group("browser")]

PASSWORD = "Browser-pass-1"


# Page conditions for wait_for_function (argument: a CSS selector or a count).
ALL_LOADED = (
    "(s) => { const i = [...document.querySelectorAll(s)]; return i.length && i.every(x => x.naturalWidth); }"
)
# Every image that is at least partly on screen has loaded (lazy images below the fold may wait).
VISIBLE_LOADED = """() => [...document.querySelectorAll('img')]
    .filter(i => { const b = i.getBoundingClientRect(); return b.bottom > 0 && b.top < innerHeight; })
    .every(i => i.complete && i.naturalWidth)"""
SMILE_SETTLED = (
    "() => { const b = document.querySelector('button[aria-pressed=true]'); return b && !b.disabled; }"
)


# The page's largest contentful paint in ms (null if the browser reported none within 3 s).
LARGEST_PAINT = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        const entries = list.getEntries();
        resolve(Math.round(entries[entries.length - 1].startTime));
    }).observe({type: 'largest-contentful-paint', buffered: true});
    setTimeout(() => resolve(null), 3000);
})"""


def assert_accessible(journey: Journey, where: str) -> None:
    violations = journey.axe()
    assert not violations, f"{where}: serious/critical accessibility violations: {violations}"


def assert_hotspots_on_tags(journey: Journey) -> int:
    """Every hotspot's centre is at its tag's (x, y) of the displayed photo, within 1.5 px."""
    frames = journey.page.evaluate(
        """() => [...document.querySelectorAll('.photo-frame')].map(frame => {
            const img = frame.querySelector('img').getBoundingClientRect();
            return {img: {x: img.x, y: img.y, w: img.width, h: img.height},
                    spots: [...frame.querySelectorAll('.hotspot')].map(s => {
                        const b = s.getBoundingClientRect();
                        return {cx: b.x + b.width / 2, cy: b.y + b.height / 2,
                                x: Number(s.dataset.x), y: Number(s.dataset.y), visible: b.width > 0};
                    })};
        })"""
    )
    checked = 0
    for frame in frames:
        img = frame["img"]
        for spot in frame["spots"]:
            assert spot["visible"], "hotspot hidden after tapping the bag"
            assert abs(spot["cx"] - (img["x"] + spot["x"] * img["w"])) <= 1.5, (spot, img)
            assert abs(spot["cy"] - (img["y"] + spot["y"] * img["h"])) <= 1.5, (spot, img)
            checked += 1
    return checked


def prime_member(journey: Any) -> Journey:
    """The Prime demo member, signed in on a desktop, on their feed."""
    member: Journey = journey(DESKTOP)
    member.sign_in("prime@demo.flint.dev", DEMO_PASSWORD)
    member.page.get_by_role("heading", name="Your feed").wait_for()
    return member


def tagged_posts(stack: LocalStack) -> list[dict[str, Any]]:
    items = requests.get(f"{stack.api}/feed?limit=50", timeout=10).json()["items"]
    return [item["post"] for item in items if item["post"]["photos"] and item["post"]["photos"][0]["tags"]]


def photo_upload(width: int, height: int, seed: int) -> dict[str, Any]:
    image, _ = scene("hiking", (width, height), seed)
    return {"name": "trail.jpg", "mimeType": "image/jpeg", "buffer": jpeg(image)}


def test_a_visitor_browses_trending_and_is_invited_to_sign_in(journey: Any) -> None:
    # Given an anonymous visitor on a desktop
    visitor = journey(DESKTOP)
    visitor.open("/")
    page = visitor.page
    # Then trending shows cards whose thumbnails load, sized before loading, with an invitation
    page.get_by_role("heading", name="Trending on Flint").wait_for()
    page.get_by_role("region", name="Sign-in invitation").wait_for()
    page.wait_for_function("document.querySelectorAll('article.card img.photo').length >= 3")
    page.wait_for_function(ALL_LOADED, arg=".masonry .col > article.card:first-child img.photo")
    first = page.locator("article.card img.photo").first
    assert first.get_attribute("width") and first.get_attribute("height")
    assert len(first.get_attribute("srcset").split(",")) == 3
    # the first row (likely the largest paint) is fetched at once and first, later rows lazily
    assert (first.get_attribute("loading"), first.get_attribute("fetchpriority")) == ("eager", "high")
    columns = page.locator(".masonry .col").count()
    loading = page.evaluate("[...document.querySelectorAll('article.card img.photo')].map(i => i.loading)")
    assert loading.count("eager") <= 2 * columns and (len(loading) <= 2 * columns or "lazy" in loading)
    assert first.get_attribute("alt")
    assert page.locator(".card .reason").first.inner_text() == "Trending now"
    page.wait_for_function(VISIBLE_LOADED)
    # The feed's largest contentful paint, printed for issue 24's target (never asserted: a loaded
    # CI machine says nothing about a phone)
    print(f"\nfeed largest contentful paint: {page.evaluate(LARGEST_PAINT)} ms")
    visitor.shot("trending")
    assert_accessible(visitor, "trending feed")
    # When they open a post and try to smile
    page.locator("article.card a.media").first.click()
    page.locator(".photo-frame img").first.wait_for()
    visitor.shot("post")
    assert_accessible(visitor, "post")
    page.get_by_role("button", name="Smile").click()
    # Then they are asked to sign in
    page.get_by_role("heading", name="Sign in to Flint").wait_for()
    visitor.shot("sign-in prompt")
    assert_accessible(visitor, "sign in")
    assert not visitor.errors


def test_the_site_works_under_its_own_content_security_policy(journey: Any) -> None:
    # Given a visitor whose browser enforces the site's CSP (other journeys bypass it for axe)
    visitor = journey(DESKTOP, strict_csp=True)
    refused: list[str] = []
    visitor.page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    # When they browse trending, open a post, sign in (back on that post) and open their feed
    visitor.open("/")
    page = visitor.page
    page.get_by_role("heading", name="Trending on Flint").wait_for()
    page.locator("article.card img.photo").nth(2).wait_for()
    page.locator("article.card a.media").first.click()
    page.locator(".photo-frame img").first.wait_for()
    visitor.sign_in("prime@demo.flint.dev", DEMO_PASSWORD)
    # (signing in returns to the post it started from, now with the member's comment box)
    page.get_by_label("Add a comment").wait_for()
    page.locator(".photo-frame img").first.wait_for()
    visitor.open("/")
    page.get_by_role("heading", name="Your feed").wait_for()
    page.locator("article.card img.photo").first.wait_for()
    # Then nothing the site does was refused by its own policy
    assert not refused, refused
    assert not visitor.errors


def test_a_newcomer_signs_up_onboards_shops_a_post_smiles_comments_and_posts(
    journey: Any, local_stack: LocalStack
) -> None:
    member = journey(DESKTOP)
    page = member.page
    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    # Sign up through Cognito's JSON API (the local stack confirms the account)
    member.open("/signup")
    page.get_by_label("Display name (optional)").fill("Robin Browser")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    member.shot("sign up")
    assert_accessible(member, "sign up")
    page.get_by_role("button", name="Create account").click()

    # Onboarding: the button stays disabled with a hint until 5 interests are picked
    page.get_by_role("heading", name="What are you into?").wait_for()
    done = page.get_by_role("button", name="Continue")
    assert done.is_disabled()
    assert "Pick 5 more" in page.locator("#interest-hint").inner_text()
    for name in ["Hiking", "Camping", "Outdoors", "Coffee"]:
        page.get_by_role("button", name=name, exact=True).click()
    assert done.is_disabled()
    assert "Pick 1 more" in page.locator("#interest-hint").inner_text()
    member.shot("onboarding four picked")
    assert_accessible(member, "onboarding")
    page.get_by_role("button", name="Photography", exact=True).click()
    assert done.is_enabled()
    done.click()

    # The feed shows cards with loaded thumbnails (trending until the first refresh)
    page.get_by_role("heading", name="Your feed").wait_for()
    page.wait_for_function("document.querySelectorAll('article.card img.photo').length > 0")
    page.wait_for_function(
        "[...document.querySelectorAll('article.card img.photo')].some(i => i.complete && i.naturalWidth)"
    )
    page.wait_for_function(VISIBLE_LOADED)
    member.shot("feed")

    # The session survives a reload
    page.reload()
    page.get_by_role("heading", name="Your feed").wait_for()

    # Open a post with tags: the bag shows hotspots exactly at the tags
    post = tagged_posts(local_stack)[0]
    member.open(f"/post/{post['id']}")
    page.locator(".photo-frame img").first.wait_for()
    page.wait_for_function(ALL_LOADED, arg=".photo-frame img")
    page.locator(".bag-toggle").first.click()
    assert assert_hotspots_on_tags(member) == len(post["photos"][0]["tags"])
    member.shot("hotspots")
    # A hotspot opens the product card (image, title, price, Prime badge) -> product page
    tag = post["photos"][0]["tags"][0]
    page.locator(".hotspot").first.click()
    card = page.locator(".product-card")
    card.wait_for()
    assert tag["title"] in card.inner_text()
    page.wait_for_function(ALL_LOADED, arg=".product-card img")
    member.shot("product card")
    assert_accessible(member, "post with product card")
    card.get_by_role("link", name=tag["title"]).click()
    page.get_by_role("heading", name=tag["title"]).wait_for()
    page.wait_for_function(ALL_LOADED, arg=".product-head img")
    member.shot("product page")
    assert_accessible(member, "product page")

    # Not Prime yet: posting explains why; the local stack's "Join Prime" makes them Prime
    member.open("/create")
    page.get_by_role("heading", name="Posting is for Prime members").wait_for()
    member.shot("not prime")
    page.get_by_role("button", name="Join Prime (local demo)").click()
    page.get_by_role("heading", name="New post").wait_for()

    # Smile (optimistic, confirmed by the server: still smiled after a reload)
    member.open(f"/post/{post['id']}")
    smile = page.get_by_role("button", name="Smile")
    before = int(smile.inner_text().rsplit("·", 1)[1])
    smile.click()
    page.wait_for_function(SMILE_SETTLED)
    page.reload()
    smiled = page.get_by_role("button", name="Smiled")
    smiled.wait_for()
    assert int(smiled.inner_text().rsplit("·", 1)[1]) == before + 1

    # Comment, then delete it
    comment = f"Love this setup! ({email.split('@')[0]})"
    page.get_by_label("Add a comment").fill(comment)
    page.get_by_role("button", name="Comment", exact=True).click()
    page.locator(".comments li", has_text=comment).wait_for()
    member.shot("smiled and commented")
    page.locator(".comments li", has_text=comment).get_by_role(
        "button", name="Delete comment by Robin Browser"
    ).click()
    page.locator(".comments li", has_text=comment).wait_for(state="detached")

    # Create a post: upload a portrait photo, place a tag on it, choose an interest, publish
    member.open("/create")
    page.get_by_label("Photo (JPEG, PNG or WebP)").set_input_files(photo_upload(900, 1200, 42))
    page.get_by_text("Photo ready.").wait_for(timeout=60_000)
    placer = page.locator(".placer img")
    box = placer.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    page.get_by_role("searchbox", name="Which product is at the pin?").fill("tent")
    page.locator(".results button").first.click()
    page.get_by_label("Caption").fill("Pitched before sunset")
    page.get_by_role("button", name="Hiking", exact=True).click()
    member.shot("create with tag")
    assert_accessible(member, "create post")
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("heading", name="Pitched before sunset").wait_for()
    page.locator(".bag-toggle").click()
    assert assert_hotspots_on_tags(member) == 1
    spot = page.locator(".hotspot").first
    assert abs(float(spot.get_attribute("data-x")) - 0.25) < 0.01
    assert abs(float(spot.get_attribute("data-y")) - 0.75) < 0.01
    member.shot("published")

    # It appears on their profile
    page.get_by_role("link", name="Profile").click()
    page.locator("article.card", has_text="Pitched before sunset").wait_for()
    member.shot("profile")
    assert_accessible(member, "profile")

    # They delete it: it leaves their profile
    page.locator("article.card", has_text="Pitched before sunset").locator("a.media").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete post").click()
    page.get_by_text("You haven't posted yet.").wait_for()
    assert not page.locator("article.card", has_text="Pitched before sunset").count()
    assert not member.errors


def _fake_expired(token: str) -> str:
    """The same token with its `exp` in the past (the signature no longer matches: never sent)."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] = int(time.time()) - 60
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{encoded}.{signature}"


def test_an_expired_id_token_is_refreshed_before_the_api_sees_it(journey: Any) -> None:
    # Given the Prime demo member signed in, whose stored ID token has expired
    member = prime_member(journey)
    page = member.page
    token = page.evaluate("JSON.parse(sessionStorage.getItem('flint.session')).idToken")
    page.evaluate(
        """(expired) => { const s = JSON.parse(sessionStorage.getItem('flint.session'));
                          s.idToken = expired;
                          sessionStorage.setItem('flint.session', JSON.stringify(s)); }""",
        _fake_expired(token),
    )
    unauthorized: list[str] = []
    page.on("response", lambda r: r.status == 401 and unauthorized.append(r.url))
    # When the page reloads
    page.reload()
    # Then the client refreshed the token first: the feed loads and the API never answered 401
    page.get_by_role("heading", name="Your feed").wait_for()
    page.locator("article.card").first.wait_for()
    assert not unauthorized
    stored = page.evaluate("JSON.parse(sessionStorage.getItem('flint.session')).idToken")
    claims = json.loads(base64.urlsafe_b64decode(stored.split(".")[1] + "=="))
    assert claims["exp"] > time.time()


def _brand_dashboard(journey: Any, viewport: dict[str, int], suffix: str) -> Journey:
    """The Northpeak brand account on its dashboard (demo data: posts, events, a campaign, a burst;
    the tier's stack has a few demo posts, and only Northpeak's products are tagged in them)."""
    brand = journey(viewport, suffix)
    brand.sign_in("brand@demo.flint.dev", DEMO_PASSWORD)
    brand.page.locator("#nav").get_by_role("link", name="Brand dashboard").wait_for()
    brand.open("/brand")
    brand.page.get_by_role("heading", name="Brand dashboard").wait_for()
    brand.page.locator(".kpis").wait_for()
    return brand


def _assert_fits(brand: Journey, width: int) -> None:
    """No horizontal scroll and no block wider than its column, at this width."""
    assert brand.page.evaluate("document.documentElement.scrollWidth") <= width
    overflowing = brand.page.evaluate(
        """() => [...document.querySelectorAll('.brand-section *')]
            .filter(el => { const box = el.getBoundingClientRect(); return box.right > innerWidth + 1 })
            .map(el => el.tagName + '.' + el.className).slice(0, 5)"""
    )
    assert not overflowing, overflowing


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 900}, {"width": 1920, "height": 1080}])
def test_a_brand_account_reads_its_dashboard_at_any_width(journey: Any, viewport: dict[str, int]) -> None:
    width = viewport["width"]
    brand = _brand_dashboard(journey, viewport, f"-{width}")
    page = brand.page
    # Both daily charts, text at 12 px whatever the width, the funnel, filtered events, the lists
    page.locator("svg.chart").nth(1).wait_for()
    assert page.locator("svg.chart").count() == 2
    sizes = page.evaluate(
        "[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 10, sizes
    filtered = page.locator(".kpi.filtered")  # the figure; the daily chart's legend names it too
    assert filtered.count() == 1 and "held as filtered" in filtered.inner_text()
    assert page.get_by_text("counts for each of them").count() == 1
    assert page.get_by_role("button", name="CSV").count() >= 7
    page.wait_for_function(VISIBLE_LOADED)
    _assert_fits(brand, width)
    brand.shot("dashboard top")
    page.get_by_role("heading", name="Potential customers").scroll_into_view_if_needed()
    brand.shot("people")
    page.get_by_role("heading", name="Campaigns").scroll_into_view_if_needed()
    page.locator("span.status").first.wait_for()
    brand.settled()  # every section in (rights, mentions, audiences load last)
    _assert_fits(brand, width)
    brand.shot("campaigns")
    assert_accessible(brand, f"brand dashboard at {width} px")
    assert not brand.errors


def test_a_brand_creates_a_campaign_and_exports_a_list(journey: Any) -> None:
    brand = _brand_dashboard(journey, DESKTOP, "")
    page = brand.page
    # Once every section above the form has loaded (the campaigns list fills in above it, and a click
    # while it grows lands where the checkbox no longer is)
    page.locator("section[aria-label='Campaigns'] span.status").first.wait_for()
    brand.settled()
    # When the brand fills the campaign form
    # By its name: the audience builder shares the form's look (and its "Name" label)
    form = page.get_by_role("form", name="New campaign")
    form.scroll_into_view_if_needed()
    form.get_by_label("Name").fill("Browser week")
    form.locator(".pick input").first.check()
    form.get_by_role("button", name="Create campaign").click()
    # Then the campaign is listed with its window and status
    page.locator("table", has_text="Browser week").wait_for()
    brand.shot("campaign created")
    # And a list downloads as CSV with a header row
    with page.expect_download() as download:
        page.locator("section[aria-label='Potential customers']").get_by_role("button", name="CSV").click()
    header = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("member.id,")
    assert not brand.errors


def test_the_feed_and_hotspots_work_on_a_phone(journey: Any, local_stack: LocalStack) -> None:
    phone = journey(PHONE)
    page = phone.page
    phone.open("/")
    page.wait_for_function("document.querySelectorAll('article.card img.photo').length >= 2")
    # Two columns, nothing wider than the screen
    assert page.locator(".masonry .col").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.wait_for_function(VISIBLE_LOADED)
    phone.shot("feed")
    assert_accessible(phone, "phone feed")
    # Hotspots sit on their tags for landscape and portrait photos alike
    posts = tagged_posts(local_stack)
    shapes = {}
    for post in posts:
        photo = post["photos"][0]
        shapes.setdefault(photo["width"] >= photo["height"], post)
    assert shapes, "no tagged demo post"
    for landscape, post in shapes.items():
        phone.open(f"/post/{post['id']}")
        page.wait_for_function(ALL_LOADED, arg=".photo-frame img")
        page.locator(".bag-toggle").first.click()
        assert assert_hotspots_on_tags(phone) == len(post["photos"][0]["tags"])
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.shot(f"hotspots {'landscape' if landscape else 'portrait'}")
    assert_accessible(phone, "phone post")
    assert not phone.errors


def contract_insights(stack: LocalStack) -> dict[str, Any]:
    """A brand insights answer shaped exactly as API.md's "Brands and brand insights" says."""
    # Photo posts only: the grid draws one image per top post (the demo has stories and ideas too)
    feed = requests.get(f"{stack.api}/feed?limit=20", timeout=10).json()["items"]
    posts = [item["post"] for item in feed if item["post"]["photos"]][:6]
    member = {
        "id": posts[0]["author"]["id"],
        "display_name": posts[0]["author"]["display_name"],
        "badges": [],
    }
    counts = {"posts": 1, "impressions": 40, "smiles": 5, "comments": 2, "tag_clicks": 6, "product_clicks": 3}
    series = [
        {
            "date": f"2026-11-{day:02d}",
            "filtered": 3 if day == 20 else 0,
            **{k: v * (day % 5) for k, v in counts.items()},
        }
        for day in range(3, 31)
    ]
    filtered = {"impressions": 3, "tag_clicks": 0, "product_clicks": 0}
    return {
        "brand_id": "brand-northpeak",
        "from": "2026-11-03",
        "to": "2026-11-30",
        "data_from": "2026-11-03",
        "totals": {**counts, "tag_click_rate": 0.15, "product_click_rate": 0.075, "filtered": filtered},
        "series": series,
        "products": [
            {"product_id": "p-northpeak-11", "title": "Pro Tent - Plum", "posts": 2, "impressions": 120,
             "tag_clicks": 30, "product_clicks": 12},
            {"product_id": "p-northpeak-02", "title": "Everyday Backpack - Rust", "posts": 1,
             "impressions": 60, "tag_clicks": 9, "product_clicks": 2},
        ],
        "fans": [{"member": member, "posts": 2, "smiles_received": 14}],
        "opinion_leaders": [{"member": member, "posts": 2, "engagement_per_post": 11.5, "influence": 0.82}],
        "potential_customers": [{"member": member, "smiles": 3, "comments": 1}],
        "top_posts": [{"post": p, "impressions": 80 - i, "engagement": 12, "engagement_rate": 0.15,
                       "smoothed_rate": 0.14} for i, p in enumerate(posts)],
        "top_interests": [{"interest": "hiking", "posts": 3, "engagement": 40}],
        "labels": [{"label": "Tent", "posts": 2}, {"label": "green", "posts": 3}],
        "complete": True,
    }  # fmt: skip


def test_a_brand_dashboard_draws_the_insights_contract(journey: Any, local_stack: LocalStack) -> None:
    # Given an API that serves the brand routes of API.md (answers stubbed in the browser, since
    # the brand routes are built separately), and the brand account signed in
    brand = journey(DESKTOP)
    page = brand.page
    insights = contract_insights(local_stack)
    campaign = {"id": "cmp_1", "name": "Autumn trail", "product_ids": ["p-northpeak-11"],
                "starts_at": "2026-11-01", "ends_at": "2026-11-30"}  # fmt: skip
    metrics = dict(insights["totals"])
    names = [k for k in metrics if k != "filtered"]
    lift = {k: (0.25 if k != "comments" else None) for k in names}
    report = {**campaign, "status": "ended", "compared_days": 30, "metrics": metrics, "previous": metrics,
              "previous_from": "2026-10-02", "previous_to": "2026-10-31", "lift": lift,
              "lift_interval": {k: ([0.1, 0.4] if v is not None else None) for k, v in lift.items()},
              "baseline": {"metrics": metrics, "previous": metrics, "lift": lift}}  # fmt: skip

    def stub(route: Any) -> None:
        path = route.request.url.split("?")[0].removeprefix(local_stack.api)
        if path == "/openapi.json":
            document = route.fetch().json()
            for extra in ["/brands/{brand_id}/insights", "/brands/{brand_id}/campaigns", "/events"]:
                document["paths"][extra] = {"get": {}}
            return route.fulfill(json=document)
        if path == "/me":
            return route.fulfill(
                json={**route.fetch().json(), "brands": [{"id": "brand-northpeak", "name": "Northpeak"}]}
            )
        answers = {
            "/brands/brand-northpeak/insights": insights,
            "/brands/brand-northpeak/campaigns": {"items": [campaign], "next_cursor": None},
            "/brands/brand-northpeak/campaigns/cmp_1": report,
        }
        if path in answers:
            return route.fulfill(json=answers[path])
        return route.continue_()

    page.route(f"{local_stack.api}/**", stub)
    brand.sign_in("brand@demo.flint.dev", DEMO_PASSWORD)
    page.get_by_role("link", name="Brand dashboard").click()
    # Then the dashboard draws the daily charts (impressions as bars, the small counts as lines on
    # their own scale), the funnel, the people tables, creatives and lift
    page.locator("svg.chart").nth(1).wait_for()
    assert page.locator("svg.chart polyline").count() == 4
    days_shown = sum(1 for day in insights["series"] if day["impressions"])
    assert page.locator("svg.chart rect[data-series=impressions]").count() == days_shown
    assert page.locator("svg.chart polyline[data-series=tag_clicks]").get_attribute("points").count(",") == 28
    assert "Pro Tent - Plum" in page.locator("table", has_text="Tap rate").first.inner_text()
    assert page.locator(".grid-photos img").count() == len(insights["top_posts"])
    # The campaigns table loads after the insights (its list, then each report): wait for it
    page.get_by_text("+25%").first.wait_for()
    page.get_by_role("heading", name="Opinion leaders").wait_for()
    page.wait_for_function(VISIBLE_LOADED)
    brand.shot("insights")
    page.locator(".grid-photos").scroll_into_view_if_needed()
    page.wait_for_function(VISIBLE_LOADED)
    brand.shot("creatives and people")
    assert_accessible(brand, "brand insights")
    assert not brand.errors


def test_a_smile_the_api_refuses_rolls_back_and_follow_toggles(journey: Any, local_stack: LocalStack) -> None:
    # Given the Prime demo member on a post whose smile the API will refuse (throttled)
    member = prime_member(journey)
    page = member.page
    post = tagged_posts(local_stack)[-1]
    refused = {"error": {"code": "throttled", "message": "Too many smiles at once: try again."}}
    page.route(
        f"{local_stack.api}/posts/{post['id']}/smile",
        lambda route: route.fulfill(status=429, json=refused, headers={"Access-Control-Allow-Origin": "*"}),
    )
    member.open(f"/post/{post['id']}")
    button = page.locator(".side button[aria-pressed]")
    button.wait_for()
    before = (button.get_attribute("aria-pressed"), button.inner_text())
    # When they tap smile
    button.click()
    # Then the optimistic change is rolled back and the API's message is shown
    page.get_by_text("Too many smiles at once: try again.").wait_for()
    page.wait_for_function("!document.querySelector('.side button[aria-pressed]').disabled")
    assert (button.get_attribute("aria-pressed"), button.inner_text()) == before
    member.shot("smile rolled back")
    # And on the author's profile, follow and unfollow update the button and the count
    page.locator(".side a.author").first.click()
    follow = page.locator(".profile-head button[aria-pressed]")
    follow.wait_for()
    followers = page.locator(".counts div", has_text="followers").locator("strong")
    count, state = int(followers.inner_text()), follow.get_attribute("aria-pressed")
    follow.click()
    page.wait_for_function(
        f"document.querySelector('.profile-head button').getAttribute('aria-pressed') !== '{state}'"
    )
    assert int(followers.inner_text()) == count + (1 if state == "false" else -1)
    member.shot("follow toggled")
    follow.click()
    page.wait_for_function(
        f"document.querySelector('.profile-head button').getAttribute('aria-pressed') === '{state}'"
    )
    assert int(followers.inner_text()) == count
    assert not member.errors


def test_engagement_events_are_batched_to_the_events_route(journey: Any, local_stack: LocalStack) -> None:
    # Given an API whose OpenAPI document lists POST /events (stubbed: the route is built separately)
    visitor = journey(DESKTOP)
    page = visitor.page
    batches: list[dict[str, Any]] = []

    def stub(route: Any) -> None:
        path = route.request.url.split("?")[0].removeprefix(local_stack.api)
        if path == "/openapi.json":
            document = route.fetch().json()
            document["paths"]["/events"] = {"post": {}}
            return route.fulfill(json=document)
        if path == "/events" and route.request.method == "POST":
            batch = route.request.post_data_json
            batches.append(batch)
            return route.fulfill(status=202, json={"accepted": len(batch["events"]), "dropped": 0})
        return route.continue_()

    page.route(f"{local_stack.api}/**", stub)
    post = tagged_posts(local_stack)[0]
    tag = post["photos"][0]["tags"][0]
    # When a visitor sees the feed, taps a hotspot and clicks through to the product
    visitor.open("/")
    page.wait_for_function(ALL_LOADED, arg=".masonry .col > article.card:first-child img.photo")
    visitor.open(f"/post/{post['id']}")
    page.locator(".bag-toggle").first.click()
    page.locator(f".hotspot[data-product-id='{tag['product_id']}']").first.click()
    page.locator(".product-card a").first.click()  # the title (the card also has "View in shop")
    page.get_by_role("heading", name=tag["title"]).wait_for()
    # Then the events arrive in batches with a batch_id (flushed on each page change)
    deadline = time.monotonic() + 60  # generous: a loaded machine
    while time.monotonic() < deadline and not any(
        e["type"] == "product_click" for b in batches for e in b["events"]
    ):
        page.wait_for_timeout(250)
    events = [e for b in batches for e in b["events"]]
    assert all(8 <= len(b["batch_id"]) <= 64 and 1 <= len(b["events"]) <= 100 for b in batches)
    assert len({b["batch_id"] for b in batches}) == len(batches)
    assert any(e["type"] == "impression" for e in events)
    # each with the receipt of the card or page it came from (the visitor's anonymous session's)
    assert all(e["receipt"] for e in events)
    clicks = {(e["type"], e["post_id"], e["product_id"]) for e in events if e["type"] != "impression"}
    assert {
        ("tag_click", post["id"], tag["product_id"]),
        ("product_click", post["id"], tag["product_id"]),
    } <= clicks
    impressions = [e["post_id"] for e in events if e["type"] == "impression"]
    assert len(impressions) == len(set(impressions)), "one impression per post per page view"


def test_interest_pages_list_their_posts(journey: Any, local_stack: LocalStack) -> None:
    visitor = journey(PHONE)
    page = visitor.page
    interest = tagged_posts(local_stack)[0]["interests"][0]
    # Its newest post: the page's first cards (other tests keep posting, so an older one may be further)
    newest = requests.get(f"{local_stack.api}/interests/{interest}/posts?limit=1", timeout=10)
    post = newest.json()["items"][0]
    visitor.open(f"/post/{post['id']}")
    page.locator(f".chips a[href='#/interest/{interest}']").click()
    page.locator("article.card").first.wait_for()
    assert page.locator(f"article.card[data-post-id='{post['id']}']").count() == 1
    visitor.shot("interest page")
    assert_accessible(visitor, "interest page")
    assert not visitor.errors


def test_the_shopping_hotspots_work_from_the_keyboard(journey: Any, local_stack: LocalStack) -> None:
    visitor = journey(DESKTOP)
    page = visitor.page
    post = tagged_posts(local_stack)[0]
    visitor.open(f"/post/{post['id']}")
    page.locator(".bag-toggle").first.wait_for()
    # A route change moves focus to the content: the first Tab reaches the photo's bag
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('bag-toggle')")
    # Enter on the bag shows the hotspots and focuses the first; Enter on it opens its product card
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('hotspot')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focused controls show an outline"
    page.keyboard.press("Enter")
    page.locator(".product-card").wait_for()
    assert page.evaluate("document.activeElement.closest('.product-card') !== null")
    visitor.shot("keyboard product card")
    # Escape closes it
    page.keyboard.press("Escape")
    page.locator(".product-card").wait_for(state="detached")
    # The skip link moves focus to the content and stays on the page (its "#main" is not a route)
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.evaluate("location.hash") == f"#/post/{post['id']}"
    page.get_by_role("heading", name=post["caption"]).wait_for()


def test_a_page_left_while_it_loads_never_draws_over_the_next(journey: Any, local_stack: LocalStack) -> None:
    # Given a visitor whose post page is slow to answer (its post held in the browser)
    visitor = journey(DESKTOP)
    page = visitor.page
    post = tagged_posts(local_stack)[0]
    slow = f"{local_stack.api}/posts/{post['id']}"
    held: list[Any] = []
    page.route(lambda url: url.split("?")[0] == slow, lambda route: held.append(route))
    with page.expect_request(lambda r: r.url.split("?")[0] == slow) as asked:
        visitor.open(f"/post/{post['id']}")
    # When they open an interest page before the post arrives, and then the post arrives
    interest = post["interests"][0]
    visitor.open(f"/interest/{interest}")
    page.locator("article.card").first.wait_for()
    with page.expect_event("requestfinished", lambda r: r is asked.value):
        held[0].continue_()
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 100)))")
    # Then the interest page is all there is: the post page is not drawn under it
    assert page.locator("main h1").count() == 1
    assert page.get_by_role("heading", name=post["caption"]).count() == 0
    assert page.evaluate("location.hash") == f"#/interest/{interest}"
    assert not visitor.errors


def test_a_refused_photo_shows_why_and_an_idea_publishes_with_its_body(journey: Any) -> None:
    member = prime_member(journey)
    page = member.page
    member.open("/create")
    # A file that claims to be a PNG but is not an image is refused by the thumbnailer, with the reason
    page.get_by_label("Photo (JPEG, PNG or WebP)").set_input_files(
        {"name": "fake.png", "mimeType": "image/png", "buffer": b"this is not a picture at all"}
    )
    page.get_by_text("This photo was refused: the file is not an image.").wait_for(timeout=60_000)
    member.shot("refused photo")
    # An idea needs no photo but has a body
    page.get_by_label("Photo (JPEG, PNG or WebP)").set_input_files([])
    page.get_by_label("Kind").select_option("idea")
    page.get_by_label("Caption").fill("Pack list for a first overnight hike")
    page.get_by_label("Text", exact=True).fill("1. Tent\n2. Headlamp\n3. Water filter")
    page.get_by_role("button", name="Hiking", exact=True).click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("heading", name="Pack list for a first overnight hike").wait_for()
    assert "2. Headlamp" in page.locator(".post-body").inner_text()
    member.shot("idea")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete post").click()
    page.get_by_role("heading", name="Priya Prime").wait_for()
    assert not member.errors


def _whole_trending(stack: LocalStack) -> list[str]:
    """Every post of the trending feed, through the API's own cursors."""
    found: list[str] = []
    cursor = ""
    while True:
        page = requests.get(f"{stack.api}/feed?limit=50{cursor}", timeout=30).json()
        found += [item["post"]["id"] for item in page["items"]]
        if not page["next_cursor"]:
            return found
        cursor = f"&cursor={page['next_cursor']}"


def test_the_feed_pages_through_cursors_while_scrolling(journey: Any, local_stack: LocalStack) -> None:
    # Given pages of 2 cards (the client asks for 20; the test shrinks them to see several pages)
    visitor = journey(PHONE)
    page = visitor.page
    feed_urls: list[str] = []

    def small_pages(route: Any) -> None:
        url = route.request.url.replace("limit=20", "limit=2")
        feed_urls.append(url)
        route.continue_(url=url)

    page.route(lambda url: url.startswith(f"{local_stack.api}/feed?"), small_pages)
    expected = _whole_trending(local_stack)
    # When the visitor scrolls to the end (the page loads the next one only near the viewport: how
    # many it loads unscrolled depends on how many posts trending holds, which other tests add to)
    visitor.open("/")
    caught_up = page.get_by_text("You're all caught up.")
    for _ in range(len(expected) // 2 + 1):  # a scroll per page at most
        if caught_up.is_visible():
            break
        shown = page.locator("article.card").count()
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function(
            "([shown, caughtUp]) => document.querySelectorAll('article.card').length > shown"
            " || [...document.querySelectorAll('p.loading')].some(p => p.textContent === caughtUp)",
            arg=[shown, "You're all caught up."],
        )
    caught_up.wait_for()
    # Then every trending post was shown once, fetched over several cursor pages
    shown = page.evaluate("[...document.querySelectorAll('article.card')].map(c => c.dataset.postId)")
    assert sorted(shown) == sorted(expected)
    assert len(feed_urls) >= len(expected) // 2
    assert all("cursor=" in url for url in feed_urls[1:])


def test_in_aws_mode_the_browser_proves_the_password_with_srp(journey: Any, local_stack: LocalStack) -> None:
    # Given the configuration AWS serves (no Cognito endpoint) and a Cognito that checks SRP proofs
    # (the embedded one cannot: it accepts any proof); a valid proof gets the local pool's tokens.
    config = {**local_stack.config, "cognito_endpoint": None}
    aws_cognito = f"https://cognito-idp.{config['region']}.amazonaws.com/"
    email = "prime@demo.flint.dev"
    user = local_stack.cognito().admin_get_user(UserPoolId=config["user_pool_id"], Username=email)
    user_id = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    server = SrpServer(config["user_pool_id"], user_id, DEMO_PASSWORD)
    cors = {"Access-Control-Allow-Origin": "*"}
    sent: list[dict[str, Any]] = []

    def cognito(route: Any) -> None:
        request = route.request
        if request.method == "OPTIONS":
            route.fulfill(
                status=204,
                headers={
                    **cors,
                    "Access-Control-Allow-Headers": "content-type,x-amz-target",
                    "Access-Control-Allow-Methods": "POST",
                },
            )
            return
        body = request.post_data_json
        sent.append(body)
        if body.get("AuthFlow") == "USER_SRP_AUTH":
            answer = {
                "ChallengeName": "PASSWORD_VERIFIER",
                "Session": "srp-session",
                "ChallengeParameters": server.challenge(body["AuthParameters"]["USERNAME"]),
            }
            return route.fulfill(json=answer, headers=cors)
        if body.get("ChallengeName") == "PASSWORD_VERIFIER":
            srp_a = sent[-2]["AuthParameters"]["SRP_A"]
            if not server.accepts(srp_a, body["ChallengeResponses"]):
                refused = {"__type": "NotAuthorizedException", "message": "Incorrect username or password."}
                return route.fulfill(status=400, json=refused, headers=cors)
            tokens = local_stack.cognito().initiate_auth(
                ClientId=config["user_pool_client_id"],
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": DEMO_PASSWORD},
            )
            return route.fulfill(json={"AuthenticationResult": tokens["AuthenticationResult"]}, headers=cors)
        route.fulfill(status=400, json={"__type": "InvalidParameterException"}, headers=cors)

    member = journey(DESKTOP)
    page = member.page
    page.route(f"{local_stack.api}/config", lambda route: route.fulfill(json=config, headers=cors))
    page.route(aws_cognito, cognito)
    # When they sign in with a wrong password, the proof is refused
    member.sign_in(email, "Wrong-pass-1")
    page.get_by_text("Wrong e-mail or password.").wait_for()
    # Then with the right one, they reach their feed
    member.sign_in(email, DEMO_PASSWORD)
    page.get_by_role("heading", name="Your feed").wait_for()
    member.shot("signed in with srp")
    flows = [b.get("AuthFlow") or b.get("ChallengeName") for b in sent]
    assert flows == ["USER_SRP_AUTH", "PASSWORD_VERIFIER"] * 2
    assert DEMO_PASSWORD not in json.dumps(sent) and "Wrong-pass-1" not in json.dumps(sent)
    assert not member.errors
