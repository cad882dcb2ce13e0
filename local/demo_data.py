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
    nouns: tuple[tuple[str, str], ...]  # (what the title calls it, its kind: local/demo_objects.py)


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
    # The kind of object it is (local/demo_objects.py): its picture and the scene objects it may
    # tag; and its colour, a name in COLOURS, as its title says. Empty for a product that is not
    # one of the demo's (tests/support/catalog.py): it is never drawn.
    kind: str = ""
    colour: str = ""


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
        (
            ("Backpack", "backpack"),
            ("Tent", "tent"),
            ("Trail Jacket", "jacket"),
            ("Headlamp", "headlamp"),
            ("Hiking Boots", "hiking_boots"),
            ("Camp Lantern", "lantern"),
        ),
    ),
    DemoBrand(
        "brand-hearthware",
        "Hearthware",
        ("cooking", "baking", "home-decor"),
        (
            ("Dutch Oven", "dutch_oven"),
            ("Chef Knife", "chef_knife"),
            ("Cutting Board", "cutting_board"),
            ("Mixing Bowl", "mixing_bowl"),
            ("Cast Iron Skillet", "skillet"),
            ("Apron", "apron"),
        ),
    ),
    DemoBrand(
        "brand-brewlab",
        "Brewlab",
        ("coffee", "cooking"),
        (
            ("Pour-Over Kettle", "gooseneck_kettle"),
            ("Burr Grinder", "grinder"),
            ("Pour-Over Dripper", "dripper"),
            ("Coffee Scale", "coffee_scale"),
            ("French Press", "french_press"),
            ("Stoneware Mug", "mug"),
        ),
    ),
    DemoBrand(
        "brand-stride",
        "Stride Athletics",
        ("running", "fitness", "cycling"),
        (
            ("Running Shoes", "running_shoes"),
            ("Training Tee", "tee"),
            ("Water Bottle", "water_bottle"),
            ("Foam Roller", "foam_roller"),
            ("Sports Watch", "watch"),
            ("Cycling Helmet", "helmet"),
        ),
    ),
    DemoBrand(
        "brand-lumen",
        "Lumen Home",
        ("home-decor", "diy"),
        (
            ("Floor Lamp", "floor_lamp"),
            ("Linen Throw", "throw"),
            ("Ceramic Vase", "vase"),
            ("Throw Pillow", "cushion"),
            ("Table Lamp", "table_lamp"),
            ("Scented Candle", "candle"),
        ),
    ),
    DemoBrand(
        "brand-pixelforge",
        "Pixelforge",
        ("gaming", "tech"),
        (
            ("Mechanical Keyboard", "keyboard"),
            ("Gaming Mouse", "mouse"),
            ("Headset", "headset"),
            ("Controller", "controller"),
            ("Monitor", "monitor"),
            ("Console", "console"),
        ),
    ),
    DemoBrand(
        "brand-lensly",
        "Lensly",
        ("photography", "travel", "tech"),
        (
            ("Mirrorless Camera", "camera"),
            ("Travel Tripod", "tripod"),
            ("Prime Lens", "lens"),
            ("Camera Bag", "camera_bag"),
            ("Instant Camera", "instant_camera"),
        ),
    ),
    DemoBrand(
        "brand-glowroot",
        "Glowroot",
        ("skincare", "beauty"),
        (
            ("Face Serum", "serum"),
            ("Night Cream", "cream_jar"),
            ("Cleansing Balm", "balm_tin"),
            ("Sheet Masks", "sheet_mask"),
            ("Lip Balm", "lip_balm"),
            ("SPF Lotion", "lotion_tube"),
        ),
    ),
    DemoBrand(
        "brand-pawsome",
        "Pawsome",
        ("pets",),
        (
            ("Dog Bed", "pet_bed"),
            ("Cat Tree", "cat_tree"),
            ("Chew Toy", "chew_toy"),
            ("Pet Carrier", "pet_carrier"),
            ("Pet Bowl", "pet_bowl"),
            ("Grooming Brush", "pet_brush"),
        ),
    ),
    DemoBrand(
        "brand-greenthumb",
        "Greenthumb",
        ("gardening", "outdoors", "diy"),
        (
            ("Pruning Shears", "shears"),
            ("Planter", "planter"),
            ("Garden Gloves", "gloves"),
            ("Watering Can", "watering_can"),
            ("Seed Tray", "seed_tray"),
            ("Trowel", "trowel"),
        ),
    ),
    DemoBrand(
        "brand-pageturner",
        "Pageturner",
        ("books", "travel"),
        (
            ("Bookends", "bookends"),
            ("Travel Journal", "journal"),
            ("Book Stand", "book_stand"),
            ("E-Reader", "e_reader"),
            ("Hardcover Set", "books"),
            ("Reading Glasses", "reading_glasses"),
        ),
    ),
    DemoBrand(
        "brand-tinytots",
        "Tiny Tots",
        ("parenting",),
        (
            ("Baby Carrier", "baby_carrier"),
            ("Stacking Rings", "stacking_rings"),
            ("Baby Bottle", "baby_bottle"),
            ("Stroller", "stroller"),
            ("Bath Duck", "rubber_duck"),
            ("Teddy Bear", "teddy"),
        ),
    ),
    DemoBrand(
        "brand-threadline",
        "Threadline",
        ("fashion",),
        (
            ("Denim Jacket", "jacket"),
            ("Wool Scarf", "scarf"),
            ("Canvas Tote", "tote"),
            ("Linen Shirt", "shirt"),
            ("Sneakers", "sneakers"),
            ("Beanie", "beanie"),
        ),
    ),
    DemoBrand(
        "brand-soundhaus",
        "Soundhaus",
        ("music", "tech"),
        (
            ("Studio Headphones", "headphones"),
            ("Bluetooth Speaker", "speaker"),
            ("Acoustic Guitar", "guitar"),
            ("Turntable", "turntable"),
            ("Studio Microphone", "microphone"),
            ("Vinyl Record", "vinyl"),
        ),
    ),
    DemoBrand(
        "brand-zenmat",
        "Zenmat",
        ("yoga", "fitness"),
        (
            ("Yoga Mat", "yoga_mat"),
            ("Yoga Block", "yoga_block"),
            ("Meditation Cushion", "meditation_cushion"),
            ("Kettlebell", "kettlebell"),
            ("Dumbbells", "dumbbell"),
            ("Yoga Towel", "towel"),
        ),
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
# The colours product titles name, and how the demo pictures paint them.
COLOURS: dict[str, tuple[int, int, int]] = {
    "Black": (40, 40, 44),
    "Sand": (214, 190, 150),
    "Olive": (112, 120, 60),
    "Navy": (32, 52, 96),
    "Rust": (176, 82, 40),
    "Sage": (150, 170, 140),
    "Charcoal": (70, 72, 76),
    "Cream": (240, 232, 210),
    "Teal": (30, 128, 128),
    "Plum": (110, 50, 90),
}
_COLOURS = tuple(COLOURS)
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


# The rest of the demo community, with the same password: more contributors, then members who
# read, smile, comment and follow but do not post (local/demo_plan.py decides who does what).
# Not in DEMO_MEMBERS: `make dev` signs DEMO_MEMBERS in as the demo's readers, these it does not.
MORE_CONTRIBUTORS: list[DemoMember] = [
    DemoMember("nora@demo.flint.dev", DEMO_PASSWORD, "Nora Bloom", ("prime",),
               ("gardening", "home-decor", "diy", "baking", "pets")),
    DemoMember("ravi@demo.flint.dev", DEMO_PASSWORD, "Ravi Brews", ("prime",),
               ("coffee", "travel", "books", "photography", "cycling")),
    DemoMember("mei@demo.flint.dev", DEMO_PASSWORD, "Mei Makes", ("prime",),
               ("diy", "parenting", "home-decor", "cooking", "fashion")),
    DemoMember("tom@demo.flint.dev", DEMO_PASSWORD, "Tom Peaks", ("prime",),
               ("hiking", "running", "outdoors", "camping", "fitness")),
    DemoMember("ines@demo.flint.dev", DEMO_PASSWORD, "Ines Reads", ("prime",),
               ("books", "music", "coffee", "travel", "yoga")),
    DemoMember("dan@demo.flint.dev", DEMO_PASSWORD, "Dan at Home", ("prime",),
               ("parenting", "gaming", "cooking", "tech", "cycling")),
    DemoMember("zoe@demo.flint.dev", DEMO_PASSWORD, "Zoe Moves", ("prime",),
               ("yoga", "skincare", "beauty", "fitness", "pets")),
]  # fmt: skip
_FIRST = [
    "Ana",
    "Ben",
    "Cleo",
    "Dev",
    "Ema",
    "Finn",
    "Gus",
    "Hana",
    "Ivo",
    "Jada",
    "Kai",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sol",
    "Theo",
    "Uma",
    "Vik",
    "Wren",
    "Yara",
    "Ada",
    "Bo",
    "Cal",
    "Dina",
    "Eli",
    "Fay",
]
_LAST = [
    "Ortiz",
    "Novak",
    "Hale",
    "Sato",
    "Brandt",
    "Costa",
    "Lund",
    "Moreau",
    "Okafor",
    "Reyes",
    "Berg",
    "Kaur",
    "Fischer",
    "Dumont",
    "Silva",
    "Park",
    "Walsh",
    "Haddad",
    "Rossi",
    "Kim",
    "Ito",
    "Nowak",
    "Byrne",
    "Varga",
    "Meyer",
    "Lopez",
    "Ahmed",
    "Jensen",
    "Cruz",
    "Bell",
]


def audience(count: int = 32) -> list[DemoMember]:
    """Members who read and react: Prime (smiles and comments need it), a few interests each."""
    rng = random.Random(404)
    ids = [interest_id for interest_id, _ in INTERESTS]
    members = []
    for first, last in zip(_FIRST[:count], _LAST[:count], strict=True):
        members.append(
            DemoMember(
                f"{first.lower()}.{last.lower()}@demo.flint.dev",
                DEMO_PASSWORD,
                f"{first} {last}",
                ("prime",),
                tuple(rng.sample(ids, k=5)),
            )
        )
    return members


def community() -> list[DemoMember]:
    """Everyone the demo signs up: the logins, the other contributors, the audience."""
    return [*DEMO_MEMBERS, *MORE_CONTRIBUTORS, *audience()]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def products(seed: int = 2026, per_brand: int = 16) -> list[DemoProduct]:
    """`per_brand` products for each brand: 15 brands x 16 = 240 products, each of one kind
    (a noun of its brand, in turn) and one colour, both named in its title."""
    rng = random.Random(seed)
    catalog: list[DemoProduct] = []
    for brand in BRANDS:
        titles: dict[str, tuple[str, str]] = {}
        while len(titles) < per_brand:  # every noun in turn, so each kind has a few products
            noun, kind = brand.nouns[len(titles) % len(brand.nouns)]
            colour = rng.choice(_COLOURS)
            titles[f"{rng.choice(_ADJECTIVES)} {noun} - {colour}"] = (kind, colour)
        short = brand.brand_id.removeprefix("brand-")
        for index, title in enumerate(sorted(titles)):
            product_id = f"p-{short}-{index:02d}"
            cents = rng.randrange(599, 29999)
            catalog.append(
                DemoProduct(
                    product_id=product_id,
                    brand_id=brand.brand_id,
                    brand_name=brand.name,
                    title=title,
                    price=(Decimal(cents) / 100).quantize(Decimal("0.01")),
                    currency="USD",
                    url=f"https://shop.example.com/{short}/{slug(title)}",
                    image_url=f"https://shop.example.com/images/{product_id}.jpg",
                    prime_eligible=rng.random() < 0.7,
                    interests=brand.interests,
                    kind=titles[title][0],
                    colour=titles[title][1],
                )
            )
    return catalog
