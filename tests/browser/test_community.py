"""Browser journeys of issue 24: search, editing a profile, Prime gates, reporting, blocking, the
moderation queue, held photos, and the navigation fixes, on a desktop and on a 360 px phone.

Each journey creates its own members (fresh e-mails, straight through the embedded Cognito, as
the local stack allows) and signs them in through the web client.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from local.demo_data import DEMO_PASSWORD
from local.demo_images import jpeg, scene
from local.moderation_stand_in import marked_jpeg
from tests.browser.conftest import DESKTOP, PHONE, Journey
from tests.browser.test_journeys import ALL_LOADED, VISIBLE_LOADED, assert_accessible, tagged_posts
from tests.e2e.conftest import LocalStack

pytestmark = [pytest.mark.timeout(420), pytest.mark.xdist_group("browser")]

PASSWORD = "Community-pass-1"
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


def member(stack: LocalStack, *groups: str, name: str | None = None) -> dict[str, str]:
    """A new confirmed member (fresh e-mail) of `groups`, with a profile: {email, id, name}."""
    cognito = stack.cognito()
    pool, client = stack.config["user_pool_id"], stack.config["user_pool_client_id"]
    email = f"community-{uuid.uuid4().hex[:10]}@example.com"
    name = name or f"Casey {uuid.uuid4().hex[:4]}"
    attributes = [{"Name": "email", "Value": email}, {"Name": "name", "Value": name}]
    cognito.sign_up(ClientId=client, Username=email, Password=PASSWORD, UserAttributes=attributes)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username=email)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    token = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    headers = {"Authorization": f"Bearer {token}"}
    me = requests.get(f"{stack.api}/me", headers=headers, timeout=30).json()
    interests = ["hiking", "camping", "coffee", "cooking", "photography"]
    patch = {"display_name": name, "interests": interests}
    assert requests.patch(f"{stack.api}/me", json=patch, headers=headers, timeout=30).status_code == 200
    return {"email": email, "id": me["id"], "name": name, "token": token}


def publish_idea(stack: LocalStack, author: dict[str, str], idea: dict[str, Any]) -> dict[str, Any]:
    """POST /posts as `author` (through the API, as another client would); returns the post."""
    response = requests.post(
        f"{stack.api}/posts", json=idea, headers={"Authorization": f"Bearer {author['token']}"}, timeout=30
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def signed_in(journey: Any, viewport: dict[str, int], who: dict[str, str], suffix: str = "") -> Journey:
    visitor: Journey = journey(viewport, suffix)
    visitor.sign_in(who["email"], PASSWORD)
    visitor.page.get_by_role("heading", name="Your feed").wait_for()
    return visitor


def no_wider_than_the_screen(visitor: Journey) -> None:
    width = visitor.page.viewport_size["width"]
    assert visitor.page.evaluate("document.documentElement.scrollWidth") <= width
    # and nothing printed a JavaScript null or undefined as text
    words = visitor.page.locator("main").inner_text().split()
    assert "null" not in words and "undefined" not in words


def demo_moderator(journey: Any) -> Journey:
    """The demo moderator, signed in, on the moderation page."""
    moderator: Journey = journey(DESKTOP, "-moderator")
    moderator.sign_in("moderator@demo.flint.dev", DEMO_PASSWORD)
    moderator.page.get_by_role("link", name="Moderation").click()
    moderator.page.get_by_role("heading", name="Moderation").wait_for()
    return moderator


def queued(visitor: Journey, selector: str) -> Any:
    """A case of the moderation queue, scrolling down (the queue is oldest first and pages on)."""
    page = visitor.page
    page.get_by_role("heading", name="Queue").wait_for()
    case = page.locator(selector).first
    for _ in range(60):
        if case.count():
            break
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(500)
    case.scroll_into_view_if_needed()
    return case


def boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


# --- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_one_search_box_finds_products_people_interests_and_posts(
    journey: Any, local_stack: LocalStack, viewport: dict[str, int]
) -> None:
    # Given a member with a distinctive name and a post with a distinctive caption
    word = "zq" + uuid.uuid4().hex[:6].replace("0", "a")
    author = member(local_stack, "prime", name=f"Quinn {word}")
    idea = {
        "kind": "idea",
        "caption": f"Campfire {word} recipes",
        "body": "Foil packets.",
        "interests": ["camping"],
    }
    publish_idea(local_stack, author, idea)
    visitor = journey(viewport)
    page = visitor.page
    visitor.open("/")
    page.locator("article.card").first.wait_for()
    # When they search from the top bar
    page.get_by_role("searchbox", name="Search Flint").fill(word)
    page.get_by_role("searchbox", name="Search Flint").press("Enter")
    # Then people and posts appear in their sections
    page.get_by_role("heading", name=f"Results for \u201c{word}\u201d").wait_for()
    page.get_by_role("region", name="People").get_by_text(f"Quinn {word}").wait_for()
    page.get_by_role("region", name="Posts").locator("article.card").first.wait_for()
    no_wider_than_the_screen(visitor)
    visitor.shot("people and posts")
    assert_accessible(visitor, "search results")
    # And products and interests come from the same box
    page.get_by_role("searchbox", name="Search Flint").fill("tent")
    page.get_by_role("searchbox", name="Search Flint").press("Enter")
    products = page.get_by_role("region", name="Products")
    products.locator("a.product-row").first.wait_for()
    page.wait_for_function(VISIBLE_LOADED)
    visitor.shot("products")
    title = products.locator("a.product-row strong").first.inner_text()
    products.locator("a.product-row").first.click()
    page.get_by_role("heading", name=title).wait_for()
    page.get_by_role("searchbox", name="Search Flint").fill("hik")
    page.get_by_role("searchbox", name="Search Flint").press("Enter")
    page.get_by_role("region", name="Interests").get_by_role("link", name="Hiking").click()
    page.get_by_role("heading", name="Hiking").wait_for()
    assert not visitor.errors


# --- profiles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_member_edits_name_bio_avatar_and_interests(
    journey: Any, local_stack: LocalStack, viewport: dict[str, int]
) -> None:
    me = member(local_stack)
    visitor = signed_in(journey, viewport, me)
    page = visitor.page
    page.get_by_role("link", name="Profile").click()
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_role("heading", name="Edit profile").wait_for()
    no_wider_than_the_screen(visitor)
    assert_accessible(visitor, "edit profile")
    # A new photo goes through the upload pipeline and previews once its thumbnails are ready
    image, _ = scene("coffee", (600, 600), 7)
    page.get_by_label("New photo (JPEG, PNG or WebP)").set_input_files(
        {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": jpeg(image)}
    )
    page.get_by_text("New photo ready: save to use it.").wait_for(timeout=60_000)
    new_name = f"Robin {uuid.uuid4().hex[:4]}"
    page.get_by_label("Display name").fill(new_name)
    page.get_by_label("Bio (up to 280 characters)").fill("Slow coffee, long walks.")
    page.get_by_role("button", name="Baking", exact=True).click()
    visitor.shot("edit profile")
    page.get_by_role("button", name="Save profile").click()
    # Then the profile shows the new name, bio and photo
    page.get_by_role("heading", name=new_name).wait_for()
    page.get_by_text("Slow coffee, long walks.").wait_for()
    page.wait_for_function(ALL_LOADED, arg=".profile-head img.avatar")
    visitor.shot("profile with avatar")
    profile = requests.get(f"{local_stack.api}/users/{me['id']}", timeout=30).json()
    assert profile["display_name"] == new_name and profile["avatar"]
    mine = requests.get(
        f"{local_stack.api}/me", headers={"Authorization": f"Bearer {me['token']}"}, timeout=30
    )
    assert "baking" in mine.json()["interests"]
    assert not visitor.errors


# --- Prime gates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_gated_action_explains_why_and_joining_prime_lets_it_through(
    journey: Any, local_stack: LocalStack, viewport: dict[str, int]
) -> None:
    me = member(local_stack)
    visitor = signed_in(journey, viewport, me)
    page = visitor.page
    post = tagged_posts(local_stack)[0]
    visitor.open(f"/post/{post['id']}")
    # The comment box says why it is missing and offers to join
    page.get_by_text("Commenting is for Prime members.").wait_for()
    # Tapping Smile explains and offers to join Prime
    smile = page.get_by_role("button", name="Smile")
    before = int(smile.inner_text().rsplit("·", 1)[1])
    smile.click()
    gate = page.get_by_role("dialog", name="Join Prime")
    gate.get_by_role("heading", name="Smiling is for Prime members").wait_for()
    visitor.shot("prime gate")
    assert_accessible(visitor, "prime gate")
    gate.get_by_role("button", name="Join Prime (local demo)").click()
    # Then, with a refreshed token, the smile goes through
    page.get_by_role("button", name="Smiled").wait_for()
    page.wait_for_function(
        "() => { const b = document.querySelector('button[aria-pressed=true]'); return b && !b.disabled; }"
    )
    page.reload()
    smiled = page.get_by_role("button", name="Smiled")
    smiled.wait_for()
    assert int(smiled.inner_text().rsplit("·", 1)[1]) == before + 1
    page.get_by_label("Add a comment").wait_for()
    claims = page.evaluate(
        "JSON.parse(atob(JSON.parse(sessionStorage.getItem('flint.session')).idToken.split('.')[1].replace(/-/g,'+').replace(/_/g,'/')))"
    )
    assert "prime" in claims["cognito:groups"]
    assert not visitor.errors


# --- safety: report, block, moderate -------------------------------------------------------------


def test_a_member_reports_a_post_and_a_moderator_hides_it(journey: Any, local_stack: LocalStack) -> None:
    author = member(local_stack, "prime")
    word = "zr" + uuid.uuid4().hex[:6]
    idea = {"kind": "idea", "caption": f"Miracle pills {word}", "body": "Buy now.", "interests": ["cooking"]}
    post = publish_idea(local_stack, author, idea)
    # A member reports it, with a reason and a note
    reporter = signed_in(journey, PHONE, member(local_stack), "-reporter")
    page = reporter.page
    reporter.open(f"/post/{post['id']}")
    page.get_by_role("button", name="Report").first.click()
    dialog = page.get_by_role("dialog", name="Report this post")
    dialog.get_by_label("What is wrong?").select_option("spam")
    dialog.get_by_label("Anything to add?", exact=False).fill("Selling pills")
    no_wider_than_the_screen(reporter)
    reporter.shot("report dialog")
    assert_accessible(reporter, "report dialog")
    dialog.get_by_role("button", name="Send report").click()
    page.get_by_text("Thanks for telling us").wait_for()
    # The demo moderator sees it in the queue and hides it
    moderator = demo_moderator(journey)
    mod = moderator.page
    case = queued(moderator, f"li.case[data-target-id='{post['id']}']")
    case.wait_for()
    assert "Selling pills" in case.inner_text() and "spam" in case.inner_text()
    no_wider_than_the_screen(moderator)
    moderator.shot("queue")
    assert_accessible(moderator, "moderation queue")
    case.get_by_role("button", name="Hide post").click()
    case.get_by_text("hide (now hidden)").wait_for()
    moderator.shot("hidden")
    mod.reload()
    mod.get_by_role("table").get_by_text(post["id"]).first.wait_for()
    # Then the post is gone for everyone
    assert requests.get(f"{local_stack.api}/posts/{post['id']}", timeout=30).status_code == 404
    assert not reporter.errors and not moderator.errors


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_member_blocks_someone_and_their_posts_disappear_for_them(
    journey: Any, local_stack: LocalStack, viewport: dict[str, int]
) -> None:
    troll = member(local_stack, "prime")
    idea = {
        "kind": "idea",
        "caption": f"Loud opinions {uuid.uuid4().hex[:4]}",
        "body": "...",
        "interests": ["hiking"],
    }
    loud = publish_idea(local_stack, troll, idea)
    # Another member's post in the same interest, so the page has something to show after the block
    calm = publish_idea(local_stack, member(local_stack, "prime"), {**idea, "caption": "Calm notes"})
    visitor = signed_in(journey, viewport, member(local_stack))
    page = visitor.page
    visitor.open("/interest/hiking")
    page.locator(f"article.card[data-post-id='{loud['id']}']").wait_for()
    visitor.open(f"/user/{troll['id']}")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Block").click()
    page.get_by_text(f"You blocked {troll['name']}").wait_for()
    page.get_by_role("button", name="Unblock").wait_for()
    no_wider_than_the_screen(visitor)
    visitor.shot("blocked profile")
    assert_accessible(visitor, "blocked profile")
    visitor.open("/interest/hiking")
    page.locator(f"article.card[data-post-id='{calm['id']}']").wait_for()
    assert page.locator(f"article.card[data-post-id='{loud['id']}']").count() == 0
    # The settings page lists them, and unblocking brings the post back
    visitor.open("/settings")
    page.get_by_role("button", name=f"Unblock {troll['name']}").click()
    page.get_by_text(f"{troll['name']} is unblocked.").wait_for()
    visitor.open("/interest/hiking")
    page.locator(f"article.card[data-post-id='{loud['id']}']").wait_for()
    assert not visitor.errors


def test_a_flagged_photo_is_held_and_a_moderator_approves_it(journey: Any, local_stack: LocalStack) -> None:
    me = member(local_stack, "prime")
    visitor = signed_in(journey, PHONE, me)
    page = visitor.page
    visitor.open("/create")
    page.get_by_label("Photo (JPEG, PNG or WebP)").set_input_files(
        {
            "name": "flagged.jpg",
            "mimeType": "image/jpeg",
            "buffer": marked_jpeg("explicit-nudity", (800, 600)),
        }
    )
    page.get_by_text("This photo is held for review because it may show nudity").wait_for(timeout=60_000)
    visitor.shot("held photo")
    moderator = demo_moderator(journey)
    found = queued(moderator, f"li.case[data-target-type='upload']:has-text('{me['name']}')")
    found.wait_for()
    selector = f"li.case[data-target-id='{found.get_attribute('data-target-id')}']"
    case = moderator.page.locator(selector)
    # This case's photo only: older held cases' lazy images off screen may never load
    moderator.page.wait_for_function(ALL_LOADED, arg=f"{selector} img.case-photo")
    no_wider_than_the_screen(moderator)
    moderator.shot("held in queue")
    case.get_by_role("button", name="Approve photo").click()
    case.get_by_text("approve (now ready)").wait_for()
    assert not visitor.errors and not moderator.errors


# --- navigation ----------------------------------------------------------------------------------


def test_signing_in_from_a_post_returns_to_that_post(journey: Any, local_stack: LocalStack) -> None:
    me = member(local_stack)
    visitor = journey(DESKTOP)
    page = visitor.page
    post = tagged_posts(local_stack)[0]
    visitor.open(f"/post/{post['id']}")
    page.get_by_role("button", name="Smile").click()  # not signed in: asked to sign in
    page.get_by_role("heading", name="Sign in to Flint").wait_for()
    page.get_by_label("E-mail").fill(me["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=post["caption"]).wait_for()
    assert page.evaluate("location.hash") == f"#/post/{post['id']}"
    # And from the top bar's link on a product page
    page.get_by_role("button", name="Sign out").click()
    visitor.open(f"/product/{post['photos'][0]['tags'][0]['product_id']}")
    page.locator(".product-head h1").wait_for()
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("E-mail").fill(me["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".product-head h1").wait_for()
    assert page.evaluate("location.hash").startswith("#/product/")
    assert not visitor.errors


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_product_card_sits_beside_its_hotspot_and_no_page_fetches_openapi(
    journey: Any, local_stack: LocalStack, viewport: dict[str, int]
) -> None:
    visitor = journey(viewport)
    page = visitor.page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    post = next(p for p in tagged_posts(local_stack) if len(p["photos"][0]["tags"]) >= 2)
    visitor.open(f"/post/{post['id']}")
    page.wait_for_function(ALL_LOADED, arg=".photo-frame img")
    page.locator(".bag-toggle").first.click()
    spots = page.locator(".hotspot")
    for index in range(spots.count()):
        spot = spots.nth(index)
        spot.click()
        card = page.locator(".product-card")
        card.wait_for()
        page.wait_for_timeout(50)
        card_box, spot_box = card.bounding_box(), spot.bounding_box()
        assert not boxes_overlap(card_box, spot_box), (card.get_attribute("data-side"), card_box, spot_box)
        title = card.locator(".product-card-text > a").first.bounding_box()
        close = card.get_by_role("button", name="Close").bounding_box()
        assert not boxes_overlap(title, close)
        no_wider_than_the_screen(visitor)
        if index == 0:
            page.wait_for_function(ALL_LOADED, arg=".product-card img")
            visitor.shot("product card")
        card.get_by_role("button", name="Close").click()
    # "View in shop" on the local stack leads to Flint's own product page
    spots.first.click()
    page.locator(".product-card").get_by_role("link", name="View in shop").click()
    page.locator(".product-head h1").wait_for()
    assert page.evaluate("location.hash").startswith("#/product/")
    assert not [url for url in requested if "/openapi.json" in url]
    assert not visitor.errors


def test_the_create_page_fits_a_phone_and_shows_the_pin_while_choosing(
    journey: Any, local_stack: LocalStack
) -> None:
    me = member(local_stack, "prime")
    visitor = signed_in(journey, PHONE, me)
    page = visitor.page
    visitor.open("/create")
    page.get_by_role("heading", name="New post").wait_for()
    no_wider_than_the_screen(visitor)
    kind = page.get_by_label("Kind").bounding_box()
    assert kind["x"] + kind["width"] <= PHONE["width"]
    image, _ = scene("hiking", (900, 1200), 3)
    page.get_by_label("Photo (JPEG, PNG or WebP)").set_input_files(
        {"name": "trail.jpg", "mimeType": "image/jpeg", "buffer": jpeg(image)}
    )
    page.get_by_text("Photo ready.").wait_for(timeout=60_000)
    placer = page.locator(".placer img")
    placer.scroll_into_view_if_needed()
    box = placer.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.55)
    # The spot shows as a pin while the product is chosen, and the picker shows no coordinates
    pending = page.locator(".placer .pin.pending")
    pending.wait_for()
    page.locator("#product-picker .mini-placer .pin").wait_for()  # the pin in view while typing
    picker = page.locator("#product-picker")
    assert "%" not in picker.inner_text()
    visitor.shot("choosing a product")
    page.get_by_role("searchbox", name="Which product is at the pin?").fill("tent")
    page.locator(".results button").first.click()
    assert page.locator(".placer .pin").count() == 1 and pending.count() == 0
    page.get_by_label("Caption").fill("Pitched before the rain")
    page.get_by_role("button", name="Hiking", exact=True).click()
    no_wider_than_the_screen(visitor)
    assert_accessible(visitor, "phone create")
    visitor.shot("ready to publish")
    # A plain tap on Publish reaches the button (nothing intercepts it)
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("heading", name="Pitched before the rain").wait_for()
    assert not visitor.errors
