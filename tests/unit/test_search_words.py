"""What goes into the search index, and what a query's terms are."""

from __future__ import annotations

from chalicelib.data import keys, search


def test_query_terms_fold_accents_and_drop_single_letters() -> None:
    assert search.query_terms("Crème  brûlée à la Maison!") == ["creme", "brulee", "la", "maison"]


def test_post_words_come_from_caption_then_labels_then_body_without_common_words() -> None:
    found = search.post_words(
        "The best tent for the ridge", "Pitch it with the door downwind", ["tent", "green"]
    )
    assert found == ["best", "tent", "ridge", "green", "pitch", "door", "downwind"]


def test_a_post_indexes_at_most_the_transaction_budget_of_words() -> None:
    body = " ".join(f"word{n}" for n in range(200))
    assert len(search.post_words("caption", body, [])) == search.MAX_POST_WORDS


def test_member_words_keep_every_part_of_a_name() -> None:
    assert search.member_words("Jo-Ann O'Neil") == ["jo", "ann", "neil"]


def test_an_entry_carries_all_the_entitys_words_and_its_owner() -> None:
    [first, second] = search.entry_items(search.POST, "post_1", ["tent", "ridge"], owner_id="u1")
    assert keys.search_word("post", "ridge", "post_1") == (first.PK, first.SK)
    assert first.words == second.words == ["ridge", "tent"]
    assert first.owner_id == "u1" and first.kind == "post" and first.entity_id == "post_1"
