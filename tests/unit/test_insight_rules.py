"""Brand insight rules on crafted data: rankings, the influence formula, and what each change adds."""

from __future__ import annotations

from datetime import date

from chalicelib.data.engagement import CounterRow, PostFacts
from chalicelib.data.users import Member
from chalicelib.schemas.brands import Totals
from chalicelib.services import insights
from chalicelib.services.engagement import Context, TableChange, batch_token, change_deltas, event_deltas
from chalicelib.services.insights import Tally, Window

LAST = date(2026, 11, 30)


def tally(day: str = "2026-11-30", **counts: int) -> Tally:
    t = Tally()
    t.add(counts, insights.recency_weight(day, LAST))
    return t


def member(user_id: str, followers: int = 0, badges: list[str] | None = None) -> Member:
    return Member(
        user_id=user_id,
        display_name=user_id,
        bio="",
        interests=[],
        onboarded=True,
        badges=badges or [],
        posts=0,
        smiles_received=0,
        followers=followers,
        following=0,
        created_at="2026-01-01T00:00:00.000Z",
    )


def test_fans_rank_by_posts_then_smiles_received_and_only_authors_count() -> None:
    authors = {
        "ana": tally(posts=2, smiles=1),
        "ben": tally(posts=2, smiles=5),
        "cy": tally(posts=3),
        "dee": tally(smiles=9),  # engagement on old posts, no post in the window: not a fan
    }
    assert [m for m, _ in insights.rank_fans(authors)] == ["cy", "ben", "ana"]


def test_opinion_leaders_weigh_engagement_per_post_followers_badges_and_recency() -> None:
    authors = {
        "busy": tally(posts=4, smiles=8),  # 2 per post
        "sharp": tally(posts=1, smiles=3),  # 3 per post
        "famous": tally(posts=1, smiles=2),  # 2 per post, many followers
        "stale": tally(day="2026-11-02", posts=1, smiles=4),  # 4 per post, four weeks old: x0.25
    }
    profiles = {"famous": member("famous", followers=999), "busy": member("busy", badges=["enthusiast"])}
    ranked = insights.rank_leaders(authors, insights.leader_candidates(authors), profiles)
    assert [(m, score) for m, _, score in ranked] == [
        ("famous", 8.0),
        ("sharp", 3.0),
        ("busy", 2.5),
        ("stale", 1.0),
    ]


def test_influence_is_zero_without_posts() -> None:
    assert insights.influence(tally(smiles=5), followers=10, has_badge=True) == 0.0


def test_potential_customers_are_engaged_members_who_never_posted_about_the_brand() -> None:
    engaged = {"a": tally(smiles=1), "b": tally(comments=3), "c": tally(tag_clicks=2), "d": tally()}
    candidates = insights.prospect_candidates(engaged)
    assert candidates == ["b", "c", "a"]  # no engagement: not a candidate
    assert insights.rank_prospects(engaged, candidates, authors_ever={"c"}) == ["b", "a"]


def test_top_posts_rank_by_engagement_rate_then_engagement() -> None:
    posts = {
        "viral": tally(impressions=1000, smiles=100),
        "niche": tally(impressions=10, smiles=5),
        "unseen": tally(smiles=2),
        "big": tally(impressions=2000, smiles=200),
    }
    assert insights.rank_posts(posts) == ["niche", "big", "viral", "unseen"]


def test_rates_are_fractions_of_impressions_and_zero_when_nothing_was_shown() -> None:
    assert insights.totals_out({"impressions": 0, "tag_clicks": 3}).tag_click_rate == 0.0
    assert (
        insights.totals_out({"impressions": 4, "tag_clicks": 1, "product_clicks": 9}).product_click_rate
        == 1.0
    )


def test_the_series_covers_every_day_with_zeros() -> None:
    rows = [
        CounterRow("2026-11-29", "T", {"impressions": 3}),
        CounterRow("2026-12-05", "T", {"impressions": 1}),
    ]
    window = Window.of(rows, date(2026, 11, 28), LAST)
    assert [(d.date, d.impressions) for d in insights.series(window)] == [
        ("2026-11-28", 0),
        ("2026-11-29", 3),
        ("2026-11-30", 0),
    ]


def test_lift_is_null_where_the_previous_window_had_nothing() -> None:
    now = insights.totals_out({"impressions": 30, "smiles": 2})
    before = insights.totals_out({"impressions": 20})
    lift = insights.lift(now, before)
    assert lift["impressions"] == 0.5 and lift["smiles"] is None and lift["tag_click_rate"] is None
    assert set(lift) == set(Totals.model_fields)


# --- what each event and table change adds ---------------------------------------------------


POST = PostFacts("p1", "author", ["prod-a", "prod-x"], ["hiking"], ["red"], "2026-11-20T10:00:00.000Z", True)
CONTEXT = Context({"p1": POST}, {"prod-a": "brand-a", "prod-x": "brand-x"})


def counters(deltas: object) -> dict[tuple[str, str, str], dict[str, int]]:
    return {(k.brand_id, k.day, k.dimension): v for k, v in deltas.counters.items()}  # type: ignore[attr-defined]


def test_an_impression_counts_for_every_brand_tagged_and_a_click_only_for_its_product() -> None:
    message = {
        "token": "t",
        "actor": "fan",
        "day": "2026-11-30",
        "events": [
            {"type": "impression", "post_id": "p1", "product_id": None},
            {"type": "tag_click", "post_id": "p1", "product_id": "prod-a"},
        ],
    }
    added = counters(event_deltas(message, CONTEXT))
    assert added[("brand-a", "2026-11-30", "T")] == {"impressions": 1, "tag_clicks": 1}
    assert added[("brand-x", "2026-11-30", "T")] == {"impressions": 1}
    assert added[("brand-a", "2026-11-30", "E#fan")] == {"tag_clicks": 1}
    assert added[("brand-a", "2026-11-30", "P#prod-a")] == {"impressions": 1, "tag_clicks": 1}
    assert ("brand-x", "2026-11-30", "E#fan") not in added


def test_a_smile_adds_and_its_removal_subtracts_on_the_day_it_was_made() -> None:
    smile = {"type": "smile", "post_id": "p1", "user_id": "fan", "created_at": "2026-11-21T08:00:00.000Z"}
    added = counters(change_deltas(TableChange("1", "INSERT", smile, None), CONTEXT))
    removed = counters(change_deltas(TableChange("2", "REMOVE", None, smile), CONTEXT))
    assert added[("brand-a", "2026-11-21", "T")] == {"smiles": 1}
    assert removed[("brand-a", "2026-11-21", "T")] == {"smiles": -1}
    assert set(added) == set(removed)  # in any order, the two cancel out exactly


def test_changes_about_a_deleted_post_count_nothing() -> None:
    gone = Context({"p1": PostFacts(**{**POST.__dict__, "live": False})}, CONTEXT.brands)
    comment = {
        "type": "comment",
        "post_id": "p1",
        "author_id": "fan",
        "created_at": "2026-11-21T08:00:00.000Z",
    }
    assert not change_deltas(TableChange("3", "REMOVE", None, comment), gone)
    assert not change_deltas(TableChange("4", "MODIFY", {"type": "post", "post_id": "p1"}, None), CONTEXT)


def test_a_new_post_counts_its_author_interests_labels_and_products_per_brand() -> None:
    post = {"type": "post", "post_id": "p1"}
    deltas = change_deltas(TableChange("5", "INSERT", post, None), CONTEXT)
    added = counters(deltas)
    assert added[("brand-a", "2026-11-20", "L#red")] == {"posts": 1}
    assert added[("brand-x", "2026-11-20", "A#author")] == {"posts": 1}
    assert deltas.authors == {("brand-a", "author"): 1, ("brand-x", "author"): 1}


def test_replays_share_a_token_only_from_the_same_caller() -> None:
    assert batch_token("member:a", "batch-1234") == batch_token("member:a", "batch-1234")
    assert batch_token("member:a", "batch-1234") != batch_token("anonymous:1.2.3.4", "batch-1234")
    assert batch_token("member:a", None) != batch_token("member:a", None)
