"""Brand accounts: a brand account creates brands it owns (every brand route checks ownership)."""

from __future__ import annotations

from chalicelib import clock, ids
from chalicelib.auth import Identity
from chalicelib.data import catalog as store
from chalicelib.data.catalog import Brand
from chalicelib.errors import Conflict
from chalicelib.observability import metrics
from chalicelib.schemas.brands import BrandIn, BrandOut


def create_brand(identity: Identity, data: BrandIn) -> BrandOut:
    brand = Brand(brand_id=ids.new_id("brand"), name=data.name, owner_id=identity.user_id)
    if not store.put_brand(brand, clock.now_iso()):
        raise Conflict("That brand id is taken; try again.", code="already_exists")
    metrics.add_metric(name="BrandCreated", unit="Count", value=1)
    return BrandOut(id=brand.brand_id, name=brand.name)
