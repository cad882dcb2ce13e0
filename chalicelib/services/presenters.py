"""Presenters: records from chalicelib/data in, the response models that show them out.

Every response model of a stored record (post, card, photo, tag, author, profile, me, product,
price, upload, rendition, comment) is built here and nowhere else (tests/unit/test_presenters.py),
so services never import each other for a `summary()` helper and no storage detail (keys, index
attributes, item classes) can reach a response. Models of what a service computes (pages,
acknowledgements, rankings, insights) are built by that service, from these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.data.catalog import Product
from chalicelib.data.media import HELD, READY, RenditionRecord, Upload, is_copy, size_of_avif, size_of_webp
from chalicelib.data.posts import PostRecord, TagRecord
from chalicelib.data.social import Comment
from chalicelib.data.users import Member
from chalicelib.schemas.catalog import Price, ProductOut
from chalicelib.schemas.media import Rendition, UploadOut
from chalicelib.schemas.members import BrandRef, Counts, Me, Profile
from chalicelib.schemas.posts import AuthorOut, PhotoOut, PostOut, PostSummary, TagOut
from chalicelib.schemas.social import CommentOut
from chalicelib.services import receipts
from chalicelib.settings import Settings, get_settings

FORMER_MEMBER = "Former member"


def rendition_url(settings: Settings, object_key: str) -> str:
    return f"{settings.media_url}/{object_key}"


def _sizes(named: list[tuple[str, str, int, int]], url_of: Callable[[str], str]) -> dict[str, Rendition]:
    """{"<size>": Rendition} from (name, key, width, height): a size's WebP and AVIF copies
    ("<size>.webp", "<size>.avif", data/media.py) are that size's `webp_url` and `avif_url`,
    never sizes of their own."""
    sizes = {
        name: Rendition(url=url_of(key), width=width, height=height)
        for name, key, width, height in named
        if not is_copy(name)
    }
    for name, key, _, _ in named:
        webp, avif = size_of_webp(name), size_of_avif(name)
        if webp is not None and webp in sizes:
            sizes[webp].webp_url = url_of(key)
        if avif is not None and avif in sizes:
            sizes[avif].avif_url = url_of(key)
    return sizes


def renditions_out(settings: Settings, renditions: dict[str, dict[str, Any]]) -> dict[str, Rendition]:
    """A post photo's renditions (stored inline as {"<size>": {"key", "width", "height"}})."""
    return _sizes(
        [(name, str(r["key"]), int(r["width"]), int(r["height"])) for name, r in renditions.items()],
        lambda key: rendition_url(settings, key),
    )


def renditions_at(renditions: list[RenditionRecord], url_of: Callable[[str], str]) -> dict[str, Rendition]:
    """Renditions served from URLs the caller makes (a held photo's short-lived ones)."""
    return _sizes([(r.name, r.key, r.width, r.height) for r in renditions], url_of)


def _rendition_records_out(settings: Settings, renditions: list[RenditionRecord]) -> dict[str, Rendition]:
    return renditions_at(renditions, lambda key: rendition_url(settings, key))


def upload_out(upload: Upload) -> UploadOut:
    # A held photo's thumbnails are for moderators' eyes only (short-lived URLs in the queue).
    shown = [] if upload.status == HELD else upload.renditions
    return UploadOut(
        upload_id=upload.upload_id,
        status=upload.status,
        reason=upload.reason,
        width=upload.width,
        height=upload.height,
        thumbnails=_rendition_records_out(get_settings(), shown),
        palette=upload.palette,
        suggested_tags=upload.matches if upload.status == READY else [],
    )


def avatar_out(member: Member) -> dict[str, Rendition] | None:
    return renditions_out(get_settings(), member.avatar) if member.avatar else None


def _avatar_url(member: Member) -> str | None:
    if not member.avatar:
        return None
    smallest = min(
        (r for name, r in member.avatar.items() if not is_copy(name)), key=lambda r: int(r["width"])
    )
    return rendition_url(get_settings(), smallest["key"])


def author_out(author_id: str, member: Member | None) -> AuthorOut:
    if member is None:
        return AuthorOut(id=author_id, display_name=FORMER_MEMBER, badges=[])
    return AuthorOut(
        id=member.user_id,
        display_name=member.display_name,
        badges=member.badges,
        avatar_url=_avatar_url(member),
    )


def brand_actor_out(brand_id: str, name: str) -> AuthorOut:
    """A brand as the actor of a notification (its id and name; a brand has no badges or avatar)."""
    return AuthorOut(id=brand_id, display_name=name, badges=[])


def profile_out(member: Member, followed_by_me: bool, blocked_by_me: bool = False) -> Profile:
    return Profile(
        id=member.user_id,
        display_name=member.display_name,
        bio=member.bio,
        badges=member.badges,
        counts=Counts(
            posts=member.posts,
            smiles_received=member.smiles_received,
            followers=member.followers,
            following=member.following,
        ),
        followed_by_me=followed_by_me,
        avatar=avatar_out(member),
        blocked_by_me=blocked_by_me,
    )


def me_out(
    member: Member, *, prime: bool, brand: bool, brands: list[BrandRef], moderator: bool = False
) -> Me:
    return Me(
        **profile_out(member, followed_by_me=False).model_dump(),
        interests=member.interests,
        prime=prime,
        brand=brand,
        moderator=moderator,
        onboarded=member.onboarded,
        brands=brands,
        brand_audiences=not member.audience_opt_out,
    )


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        id=product.product_id,
        title=product.title,
        brand_id=product.brand_id,
        brand_name=product.brand_name,
        price=Price(amount=product.price_amount, currency=product.currency),
        url=product.url,
        image_url=product.image_url,
        prime_eligible=product.prime_eligible,
        tag_count=product.tag_count,
    )


def _tag_out(tag: TagRecord, product: Product | None) -> TagOut:
    """A post page shows the tagged product as it is now; a card, the snapshot taken at tagging."""
    shown: Product | TagRecord = product if product is not None else tag
    return TagOut(
        product_id=tag.product_id,
        x=tag.x,
        y=tag.y,
        title=shown.title,
        price=Price(amount=shown.price_amount, currency=shown.currency),
        url=shown.url,
    )


def summary(
    post: PostRecord, author: Member | None, smiled: bool, products: dict[str, Product] | None = None
) -> PostSummary:
    """A feed card: everything a client draws without fetching the post."""
    settings = get_settings()
    products = products or {}
    return PostSummary(
        id=post.post_id,
        kind=post.kind,  # type: ignore[arg-type]
        caption=post.caption,
        created_at=post.created_at,
        author=author_out(post.author_id, author),
        interests=post.interests,
        photos=[
            PhotoOut(
                width=photo.width,
                height=photo.height,
                thumbnails=renditions_out(settings, photo.renditions),
                palette=photo.palette,
                tags=[_tag_out(t, products.get(t.product_id)) for t in photo.tags],
            )
            for photo in post.photos
        ],
        shop_count=len(post.product_ids),
        smile_count=post.smile_count,
        comment_count=post.comment_count,
        smiled_by_me=smiled,
        # For the viewer of this request (set at the route edge): events about the post need it.
        receipt=receipts.receipt_for(post.post_id, post.author_id),
    )


def post_out(
    post: PostRecord, author: Member | None, smiled: bool, products: dict[str, Product] | None = None
) -> PostOut:
    return PostOut(**summary(post, author, smiled, products).model_dump(), body=post.body)


def comment_out(comment: Comment, author: Member | None) -> CommentOut:
    return CommentOut(
        id=comment.comment_id,
        author=author_out(comment.author_id, author),
        text=comment.text,
        created_at=comment.created_at,
    )
