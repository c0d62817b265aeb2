"""Fake but valid GS1 barcodes for the demo catalogue, unique across the whole chain.

Each family is drawn from its own number range, so their 14-digit catalogue
keys can never collide: Chinese EAN-13 start 690-699, foreign EAN-13 start
with other GS1 country prefixes, UPC-A start 0 then a non-zero digit, EAN-8
start 69, and carton GTIN-14 carry packaging indicator 1.
"""

from __future__ import annotations

import numpy as np

from domain.barcodes import gs1_check_digit

# GS1 prefixes of countries imported goods come from: US/Canada use UPC-A instead.
FOREIGN_PREFIXES = (400, 410, 500, 540, 760, 800, 870, 880, 450, 930, 940)


def with_check_digit(body: str) -> str:
    return body + str(gs1_check_digit(body))


def chinese_ean13(rng: np.random.Generator, count: int) -> list[str]:
    """EAN-13 codes with a China prefix (690-699)."""
    bodies = 690_000_000_000 + rng.choice(10_000_000_000, size=count, replace=False)
    return [with_check_digit(f"{body:012d}") for body in bodies]


def foreign_ean13(rng: np.random.Generator, count: int) -> list[str]:
    """EAN-13 codes under European, Japanese, Korean and Oceanian prefixes."""
    unique = rng.choice(len(FOREIGN_PREFIXES) * 1_000_000_000, size=count, replace=False)
    prefixes = np.array(FOREIGN_PREFIXES, dtype=np.int64)[unique // 1_000_000_000]
    return [with_check_digit(f"{prefix:03d}{rest:09d}") for prefix, rest in zip(prefixes, unique % 1_000_000_000, strict=True)]


def upc_a(rng: np.random.Generator, count: int) -> list[str]:
    """12-digit UPC-A codes, number system 0, as North American goods carry."""
    bodies = 1_000_000_000 + rng.choice(9_000_000_000, size=count, replace=False)
    return [with_check_digit(f"{body:011d}") for body in bodies]


def chinese_ean8(rng: np.random.Generator, count: int) -> list[str]:
    """EAN-8 codes for small packs (chewing gum, single ice lollies)."""
    bodies = 6_900_000 + rng.choice(100_000, size=count, replace=False)
    return [with_check_digit(f"{body:07d}") for body in bodies]


def carton_gtin14(unit_code: str) -> str:
    """The GTIN-14 printed on the case of a consumer unit: indicator 1, same item reference."""
    return with_check_digit("1" + unit_code.zfill(13)[:-1])
