"""The one search index: typed inverted-index entries, and the prefix Query that reads them.

An entry is `SEARCH#<kind>#<first 2 letters>` / `<word>#<id>` (keys.search_word), one per (kind,
word, entity), for the kinds products, members, interests and posts. Each entry carries all the
entity's words, so a query of several terms is one Query on its longest term's prefix, filtered
on the others (`search_ids`). How entries are kept:

- products and interests: written with the entity (`catalog.put_products`, `users.put_interests`);
- members: written when the profile is created and rewritten in the rename's transaction;
  removed in the ban's transaction (put back on unban);
- posts: written in the publish transaction, from the caption, the story's body and the photos'
  labels (at most `MAX_POST_WORDS` words); removed in the hide transaction (put back on restore)
  and by the delete cascade. The words written are kept on the post and the profile
  (`search_words`), so removal deletes exactly what was written.

Reads never trust the index alone: hits are hydrated (posts through `posts.hydrate`, which shows
live posts only), so an entry that outlives its entity for a moment shows nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.data import keys
from chalicelib.data.connection import Tx
from chalicelib.data.models import SearchTermItem
from chalicelib.data.pages import Page

PRODUCT, MEMBER, INTEREST, POST = keys.SEARCH_KINDS
MIN_PREFIX = keys.SEARCH_BUCKET_CHARS
# A post's entries ride in its publish transaction (at most 100 items, ~55 used by the rest):
# the caption's words first, then labels, then the body's, up to this many distinct words.
MAX_POST_WORDS = 32
# Words too common in captions and stories to narrow anything down.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "the",
        "this",
        "to",
        "was",
        "we",
        "with",
        "you",
        "your",
    }
)


@dataclass(frozen=True)
class Hit:
    kind: str
    entity_id: str
    owner_id: str | None = None


def words(text: str) -> list[str]:
    """Lower-case, accent-free alphanumeric words: the unit of search."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [w for w in re.split(r"[^a-z0-9]+", folded) if w]


def query_terms(q: str) -> list[str]:
    """The terms of a search box's text that can match (2+ characters; shorter ones are dropped)."""
    return [t for t in words(q) if len(t) >= MIN_PREFIX]


def indexable(texts: Iterable[str], *, limit: int | None = None, skip_common: bool = False) -> list[str]:
    """The distinct words of `texts` that get entries (2+ characters), in order, at most `limit`."""
    found: list[str] = []
    for text in texts:
        for word in words(text):
            if len(word) < MIN_PREFIX or word in found or (skip_common and word in STOP_WORDS):
                continue
            found.append(word)
            if limit is not None and len(found) >= limit:
                return found
    return found


def post_words(caption: str, body: str | None, labels: Sequence[str]) -> list[str]:
    return indexable([caption, " ".join(labels), body or ""], limit=MAX_POST_WORDS, skip_common=True)


def member_words(display_name: str) -> list[str]:
    return indexable([display_name])


def entry_items(
    kind: str, entity_id: str, entity_words: Sequence[str], owner_id: str | None = None
) -> list[SearchTermItem]:
    everything = sorted(set(entity_words))
    items = []
    for word in everything:
        key = keys.search_word(kind, word, entity_id)
        items.append(
            SearchTermItem(
                key.pk, key.sk, kind=kind, entity_id=entity_id, words=everything, owner_id=owner_id
            )
        )
    return items


def put_entries(
    tx: Tx, kind: str, entity_id: str, entity_words: Sequence[str], owner_id: str | None = None
) -> None:
    """Add the entity's entries to a transaction (PutItem is idempotent: re-adding rewrites them)."""
    for item in entry_items(kind, entity_id, entity_words, owner_id):
        tx.put(item, label=f"search:{item.SK}")


def delete_entries(tx: Tx, kind: str, entity_id: str, entity_words: Sequence[str]) -> None:
    for word in sorted(set(entity_words)):
        key = keys.search_word(kind, word, entity_id)
        tx.delete(SearchTermItem(key.pk, key.sk), label=f"search:{key.sk}")


def entry_keys(kind: str, entity_id: str, entity_words: Iterable[str]) -> list[keys.Key]:
    return [keys.search_word(kind, word, entity_id) for word in sorted(set(entity_words))]


def batch_put(kind: str, entities: Iterable[tuple[str, Sequence[str]]]) -> None:
    """Write many entities' entries in batches (imports of products and interests; not transactional)."""
    with SearchTermItem.batch_write() as batch:
        for entity_id, entity_words in entities:
            for item in entry_items(kind, entity_id, entity_words):
                batch.save(item)


def _counts_once(entry_word: str, entity_words: list[str], anchor: str) -> bool:
    """An entity with several words matching the anchor has several entries; only its first counts."""
    return entry_word == min(w for w in entity_words if w.startswith(anchor))


def search_ids(kind: str, terms: Sequence[str], limit: int, start: dict[str, Any] | None) -> Page:
    """Hits of one kind whose words start with every term: one Query of the longest term's prefix.

    A page holds at most `limit` entries read; entries failing another term are filtered out, so
    a page may be shorter (follow the page's last key).
    """
    anchor = max(terms, key=len)
    condition = keys.search_prefix(kind, anchor)
    results = SearchTermItem.query(
        condition.pk,
        SearchTermItem.SK.startswith(condition.sk),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    hits = [
        Hit(kind, entry.entity_id, entry.owner_id)
        for entry in results
        if _counts_once(entry.SK.rsplit("#", 1)[0], entry.words, anchor)
        and all(any(w.startswith(term) for w in entry.words) for term in terms)
    ]
    return Page(hits, results.last_evaluated_key)
