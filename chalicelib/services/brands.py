"""Brand accounts: a brand account creates brands it owns (every brand route checks ownership).

Brand names follow the shared text rules (schemas/common.py `Name`) and are unique on
`text.name_key` (NFKC, case folding, invisible formatting dropped, runs of spaces as one):
"Northpeak", "NORTHPEAK" and "Northpeak" in full-width letters name the same brand, so a second
account cannot impersonate a brand whose insights and community pages members trust. The claim
is an item written in the brand's own transaction (data/catalog.py `put_brand`): two concurrent
creations cannot both win.
"""

from __future__ import annotations

from chalicelib import clock, ids, text
from chalicelib.auth import Identity
from chalicelib.data import catalog as store
from chalicelib.data.catalog import Brand
from chalicelib.errors import Conflict
from chalicelib.observability import metrics
from chalicelib.schemas.brands import BrandIn, BrandOut


def register(brand: Brand) -> str | None:
    """Create a brand (API or catalog import); None when created, else what was taken."""
    return store.put_brand(brand, clock.now_iso(), text.name_key(brand.name))


def create_brand(identity: Identity, data: BrandIn) -> BrandOut:
    brand = Brand(brand_id=ids.new_id("brand"), name=data.name, owner_id=identity.user_id)
    taken = register(brand)
    if taken == store.BRAND_NAME_TAKEN:
        raise Conflict("A brand with this name already exists.", code="already_exists")
    if taken is not None:
        raise Conflict("That brand id is taken; try again.", code="already_exists")
    metrics.add_metric(name="BrandCreated", unit="Count", value=1)
    return BrandOut(id=brand.brand_id, name=brand.name)
