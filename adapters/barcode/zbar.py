"""pyzbar, a second decoder: it reads some damaged linear codes zxing-cpp gives up on.

It needs the system library libzbar0 (Debian package); without it `available()`
is False and `read` finds nothing, so the reader still works on zxing-cpp alone.
"""

from __future__ import annotations

import re

import numpy as np

from adapters.barcode.reads import Box
from adapters.barcode.result import DecodedCode
from adapters.barcode.symbols import checked_code

try:
    from pyzbar import pyzbar
except ImportError:  # libzbar0 missing
    pyzbar = None

_NAMES = {"EAN13": "EAN-13", "EAN8": "EAN-8", "UPCA": "EAN-13", "UPCE": "UPC-E", "I25": "ITF",
          "CODE128": "Code 128", "CODE39": "Code 39", "QRCODE": "QR"}  # fmt: skip
# zbar does not tell whether a Code 128 or QR began with FNC1; GS1 data starts with a GTIN in AI (01).
_LOOKS_GS1 = re.compile(r"\x1d?01\d{14}")


def available() -> bool:
    return pyzbar is not None


def read(pixels: np.ndarray) -> list[DecodedCode]:
    """Checked codes zbar finds in an 8-bit grayscale image."""
    return [code for code, _ in read_with_boxes(pixels)]


def read_with_boxes(pixels: np.ndarray) -> list[tuple[DecodedCode, Box]]:
    """Checked codes zbar finds, each with its bounding box (left, top, right, bottom)."""
    if pyzbar is None:
        return []
    reads = []
    for symbol in pyzbar.decode(np.ascontiguousarray(pixels), symbols=_SYMBOLS):
        code = _checked(symbol.type, _text(symbol.data))
        if code is not None:
            left, top, width, height = symbol.rect
            reads.append((code, (left, top, left + width, top + height)))
    return reads


def _text(data: bytes) -> str:
    # zbar hands over UTF-8 (a Chinese product name in a QR code); other bytes are kept one to one.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _checked(kind: str, data: str) -> DecodedCode | None:
    symbology = _NAMES.get(kind)
    if symbology is None:
        return None
    if symbology in ("Code 128", "QR") and _LOOKS_GS1.match(data):
        code = checked_code(symbology, data, gs1_data=data)
        if code is not None:
            return code
    return checked_code(symbology, data)


_SYMBOLS = [pyzbar.ZBarSymbol[name] for name in _NAMES] if pyzbar is not None else None
