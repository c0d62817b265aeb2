"""Turn what a decoder read into a checked DecodedCode, or reject it.

A value is accepted only if it passes its check digit: EAN/UPC/ITF-14 and the
GTIN inside GS1 data through domain.barcodes; Code 39 and Code 128 carry no
visible check digit and QR/DataMatrix rely on their error correction.
"""

from __future__ import annotations

import zxingcpp

from adapters.barcode.result import DecodedCode, UnitsHint
from domain.barcodes import InvalidBarcode, Symbology, parse_barcode
from domain.gs1 import GS1_SYMBOLOGY_IDENTIFIERS, InvalidGs1, parse_element_string

F = zxingcpp.BarcodeFormat

# The symbologies the shop uses; restricting the decoder to them is faster and avoids misreads.
READ_FORMATS = (F.EAN13, F.EAN8, F.UPCA, F.UPCE, F.Code128, F.Code39, F.ITF, F.QRCode, F.DataMatrix)

_ZXING_NAMES = {
    F.EAN13: "EAN-13", F.UPCA: "EAN-13", F.EAN8: "EAN-8", F.UPCE: "UPC-E", F.ITF: "ITF",
    F.Code128: "Code 128", F.Code39: "Code 39", F.QRCode: "QR", F.DataMatrix: "DataMatrix",
}  # fmt: skip
_GTIN_SYMBOLOGIES = {
    "EAN-13": Symbology.EAN13,
    "EAN-8": Symbology.EAN8,
    "UPC-E": Symbology.UPCE,
    "ITF": Symbology.GTIN14,
}


def decoded_code(barcode: zxingcpp.Barcode) -> DecodedCode | None:
    """Our checked view of one zxing-cpp result; None when it fails its check."""
    symbology = _ZXING_NAMES.get(barcode.format)
    if symbology is None:
        return None
    if barcode.symbology_identifier in GS1_SYMBOLOGY_IDENTIFIERS:
        return checked_code(
            symbology, barcode.text, barcode.symbology_identifier + barcode.bytes.decode("latin-1")
        )
    text = barcode.extra.get("UPCE", barcode.text) if symbology == "UPC-E" else barcode.text
    return checked_code(symbology, text)


def checked_code(symbology: str, text: str, gs1_data: str | None = None) -> DecodedCode | None:
    """A DecodedCode for a decoder's symbology name and text, or None when it fails its check.

    `symbology` is "EAN-13" (UPC-A arrives as EAN-13 with a leading zero), "EAN-8",
    "UPC-E", "ITF", "Code 128", "Code 39", "QR" or "DataMatrix"; `gs1_data` is the
    raw GS1 element string when the symbol said it carries one.
    """
    try:
        if gs1_data is not None:
            return _gs1_code(symbology, gs1_data)
        if symbology in _GTIN_SYMBOLOGIES:
            return _gtin_code(symbology, text)
    except (InvalidBarcode, InvalidGs1):
        return None
    if symbology in ("QR", "DataMatrix"):
        return DecodedCode(symbology, text)
    if symbology in ("Code 128", "Code 39"):
        return DecodedCode(symbology, text, _label_key(text))
    return None


def _gtin_code(symbology: str, text: str) -> DecodedCode | None:
    name = symbology
    if symbology == "ITF":
        # Plain ITF of other lengths is not a trade item number.
        if len(text) != 14:
            return None
        name = "ITF-14"
    elif symbology == "EAN-13" and len(text) == 13 and text.startswith("0"):
        # A UPC-A is an EAN-13 with a leading zero; show it as printed on the pack.
        name, text = "UPC-A", text[1:]
    parsed = parse_barcode(text, Symbology.UPCA if name == "UPC-A" else _GTIN_SYMBOLOGIES[symbology])
    return DecodedCode(name, text, parsed.key, gtin=parsed.key, units_hint=_units_hint(parsed.key))


def _gs1_code(symbology: str, data: str) -> DecodedCode:
    fields = parse_element_string(data)
    text = "".join(f"({ai}){value}" for ai, value in fields.fields.items())
    key = parse_barcode(fields.gtin, Symbology.GTIN14).key if fields.gtin else None
    hint = _units_hint(key) if key else None
    return DecodedCode(symbology, text, key, fields.gtin, fields.batch, fields.expiry, hint)


def _label_key(text: str) -> str | None:
    try:
        return parse_barcode(text, Symbology.CODE128).key
    except InvalidBarcode:
        return None


def _units_hint(gtin_key: str) -> UnitsHint:
    """Indicator digit of the 14-digit key: 0 a consumer unit, 1-8 a carton or case, 9 variable measure."""
    indicator = gtin_key[0]
    if indicator == "0":
        return UnitsHint.UNIT
    return UnitsHint.VARIABLE_MEASURE if indicator == "9" else UnitsHint.CARTON
