"""Request and response models for products and brands."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, HttpUrl, StrictBool, field_validator

from chalicelib.schemas.common import Currency, Name, QueryInt, QueryModel, StrictModel


class Price(BaseModel):
    amount: str = Field(description='Decimal string, e.g. "19.99"', examples=["19.99"])
    currency: str = Field(description="ISO-4217 code", examples=["USD"])


class PriceIn(StrictModel):
    amount: Decimal = Field(gt=0, lt=Decimal("1000000"), decimal_places=2)
    currency: Currency


class ProductOut(BaseModel):
    id: str
    title: str
    brand_id: str
    brand_name: str
    price: Price
    url: str
    image_url: str | None
    prime_eligible: bool
    tag_count: int


class ProductPage(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None


class ProductIn(StrictModel):
    title: Name = Field(min_length=1, max_length=200)
    price: PriceIn
    url: HttpUrl
    image_url: HttpUrl | None = None
    prime_eligible: StrictBool = False

    @field_validator("url", "image_url")
    @classmethod
    def _web_only(cls, value: HttpUrl | None) -> HttpUrl | None:
        if value is not None and value.scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL")
        return value


class PageQuery(QueryModel):
    limit: QueryInt = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048, description="next_cursor of the previous page")


class ProductQuery(PageQuery):
    q: str = Field(default="", max_length=200, description="Words to match in title or brand (prefixes)")
