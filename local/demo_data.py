"""Deterministic demo data for `make dev`: interests, brands, products and demo members.

Pure data (no AWS): the same seed always gives the same catalog, so demo ids
are stable across runs and can be used in the README's example requests.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal

INTERESTS: list[tuple[str, str]] = [
    ("home-decor", "Home Decor"),
    ("cooking", "Cooking"),
    ("baking", "Baking"),
    ("coffee", "Coffee"),
    ("fitness", "Fitness"),
    ("running", "Running"),
    ("yoga", "Yoga"),
    ("hiking", "Hiking"),
    ("camping", "Camping"),
    ("travel", "Travel"),
    ("photography", "Photography"),
    ("gaming", "Gaming"),
    ("tech", "Tech & Gadgets"),
    ("books", "Books"),
    ("fashion", "Fashion"),
    ("beauty", "Beauty"),
    ("skincare", "Skincare"),
    ("pets", "Pets"),
    ("parenting", "Parenting"),
    ("gardening", "Gardening"),
    ("diy", "DIY & Crafts"),
    ("music", "Music"),
    ("cycling", "Cycling"),
    ("outdoors", "Outdoors"),
]


@dataclass(frozen=True)
class DemoBrand:
    brand_id: str
    name: str
    interests: tuple[str, ...]
    nouns: tuple[str, ...]


@dataclass(frozen=True)
class DemoProduct:
    product_id: str
    brand_id: str
    brand_name: str
    title: str
    price: Decimal
    currency: str
    url: str
    image_url: str
    prime_eligible: bool
    interests: tuple[str, ...]


@dataclass(frozen=True)
class DemoMember:
    email: str
    password: str
    name: str
    groups: tuple[str, ...]
    interests: tuple[str, ...]


BRANDS: list[DemoBrand] = [
    DemoBrand(
        "brand-northpeak",
        "Northpeak",
        ("hiking", "camping", "outdoors"),
        ("Backpack", "Tent", "Trail Jacket", "Headlamp", "Hiking Boots", "Water Filter"),
    ),
    DemoBrand(
        "brand-hearthware",
        "Hearthware",
        ("cooking", "baking", "home-decor"),
        ("Dutch Oven", "Chef Knife", "Cutting Board", "Mixing Bowl Set", "Cast Iron Skillet", "Apron"),
    ),
    DemoBrand(
        "brand-brewlab",
        "Brewlab",
        ("coffee", "cooking"),
        ("Pour-Over Kettle", "Burr Grinder", "Espresso Tamper", "Coffee Scale", "French Press", "Mug Set"),
    ),
    DemoBrand(
        "brand-stride",
        "Stride Athletics",
        ("running", "fitness", "cycling"),
        ("Running Shoes", "Training Tee", "Water Bottle", "Foam Roller", "Sport Socks", "Armband"),
    ),
    DemoBrand(
        "brand-lumen",
        "Lumen Home",
        ("home-decor", "diy"),
        ("Floor Lamp", "Linen Throw", "Ceramic Vase", "Wall Shelf", "Table Lamp", "Area Rug"),
    ),
    DemoBrand(
        "brand-pixelforge",
        "Pixelforge",
        ("gaming", "tech"),
        ("Mechanical Keyboard", "Gaming Mouse", "Headset", "Controller", "Monitor Arm", "Desk Mat"),
    ),
    DemoBrand(
        "brand-lensly",
        "Lensly",
        ("photography", "travel", "tech"),
        ("Camera Strap", "Travel Tripod", "Lens Cleaning Kit", "Camera Bag", "ND Filter", "SD Card"),
    ),
    DemoBrand(
        "brand-glowroot",
        "Glowroot",
        ("skincare", "beauty"),
        ("Face Serum", "Night Cream", "Cleansing Balm", "Sheet Masks", "Lip Balm", "SPF Lotion"),
    ),
    DemoBrand(
        "brand-pawsome",
        "Pawsome",
        ("pets",),
        ("Dog Bed", "Cat Tree", "Chew Toy", "Leash", "Pet Bowl", "Grooming Brush"),
    ),
    DemoBrand(
        "brand-greenthumb",
        "Greenthumb",
        ("gardening", "outdoors", "diy"),
        ("Pruning Shears", "Planter", "Garden Gloves", "Watering Can", "Seed Kit", "Kneeler"),
    ),
    DemoBrand(
        "brand-pageturner",
        "Pageturner",
        ("books", "travel"),
        ("Reading Light", "Bookends", "Travel Journal", "Book Stand", "E-Reader Case", "Bookmark Set"),
    ),
    DemoBrand(
        "brand-tinytots",
        "Tiny Tots",
        ("parenting",),
        ("Baby Carrier", "Play Mat", "Bottle Set", "Stroller Fan", "Bath Toys", "Swaddle"),
    ),
    DemoBrand(
        "brand-threadline",
        "Threadline",
        ("fashion",),
        ("Denim Jacket", "Wool Scarf", "Canvas Tote", "Linen Shirt", "Sneakers", "Beanie"),
    ),
    DemoBrand(
        "brand-soundhaus",
        "Soundhaus",
        ("music", "tech"),
        ("Studio Headphones", "Bluetooth Speaker", "Guitar Strings", "Vinyl Cleaner", "Mic Stand", "Capo"),
    ),
    DemoBrand(
        "brand-zenmat",
        "Zenmat",
        ("yoga", "fitness"),
        ("Yoga Mat", "Yoga Blocks", "Meditation Cushion", "Strap", "Mat Spray", "Towel"),
    ),
]

_ADJECTIVES = (
    "Classic",
    "Ultralight",
    "Everyday",
    "Pro",
    "Compact",
    "Deluxe",
    "Essential",
    "Heritage",
    "Modern",
    "Premium",
    "Eco",
    "Signature",
    "Studio",
    "Trail",
    "Urban",
    "Limited",
)
_COLOURS = ("Black", "Sand", "Olive", "Navy", "Rust", "Sage", "Charcoal", "Cream", "Teal", "Plum")

DEMO_PASSWORD = "Flint-demo-2026!"

DEMO_MEMBERS: list[DemoMember] = [
    DemoMember(
        "prime@demo.flint.dev",
        DEMO_PASSWORD,
        "Priya Prime",
        ("prime",),
        ("home-decor", "cooking", "coffee", "hiking", "photography"),
    ),
    DemoMember("member@demo.flint.dev", DEMO_PASSWORD, "Max Member", (), ()),
    DemoMember("moderator@demo.flint.dev", DEMO_PASSWORD, "Mo Moderator", ("moderator",), ()),
    DemoMember("brand@demo.flint.dev", DEMO_PASSWORD, "Northpeak Team", ("brand",), ()),
    # More brand accounts (local/demo_brands.py gives them their brands, campaigns and events).
    DemoMember("brewlab@demo.flint.dev", DEMO_PASSWORD, "Brewlab Team", ("brand",), ()),
    DemoMember("stride@demo.flint.dev", DEMO_PASSWORD, "Stride Team", ("brand",), ()),
    # Contributors that give the demo feed its posts.
    DemoMember(
        "alex@demo.flint.dev",
        DEMO_PASSWORD,
        "Alex Trail",
        ("prime",),
        ("hiking", "camping", "outdoors", "photography", "travel"),
    ),
    DemoMember(
        "sam@demo.flint.dev",
        DEMO_PASSWORD,
        "Sam Kitchen",
        ("prime",),
        ("cooking", "baking", "coffee", "home-decor", "gardening"),
    ),
    DemoMember(
        "jo@demo.flint.dev",
        DEMO_PASSWORD,
        "Jo Runs",
        ("prime",),
        ("running", "fitness", "yoga", "cycling", "music"),
    ),
    DemoMember(
        "kim@demo.flint.dev",
        DEMO_PASSWORD,
        "Kim Glow",
        ("prime",),
        ("skincare", "beauty", "fashion", "pets", "books"),
    ),
    DemoMember(
        "lee@demo.flint.dev",
        DEMO_PASSWORD,
        "Lee Pixel",
        ("prime",),
        ("gaming", "tech", "music", "photography", "diy"),
    ),
]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def products(seed: int = 2026, per_brand: int = 16) -> list[DemoProduct]:
    """`per_brand` products for each brand: 15 brands x 16 = 240 products."""
    rng = random.Random(seed)
    catalog: list[DemoProduct] = []
    for brand in BRANDS:
        titles: set[str] = set()
        while len(titles) < per_brand:
            titles.add(f"{rng.choice(_ADJECTIVES)} {rng.choice(brand.nouns)} - {rng.choice(_COLOURS)}")
        for index, title in enumerate(sorted(titles)):
            product_id = f"p-{brand.brand_id.removeprefix('brand-')}-{index:02d}"
            cents = rng.randrange(599, 29999)
            catalog.append(
                DemoProduct(
                    product_id=product_id,
                    brand_id=brand.brand_id,
                    brand_name=brand.name,
                    title=title,
                    price=(Decimal(cents) / 100).quantize(Decimal("0.01")),
                    currency="USD",
                    url=f"https://shop.example.com/{brand.brand_id.removeprefix('brand-')}/{slug(title)}",
                    image_url=f"https://shop.example.com/images/{product_id}.jpg",
                    prime_eligible=rng.random() < 0.7,
                    interests=brand.interests,
                )
            )
    return catalog
