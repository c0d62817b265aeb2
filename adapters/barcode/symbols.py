"""Turn a raw zxing-cpp result into a checked DecodedCode, or reject it.

A value is accepted only if it passes its check digit: EAN/UPC/ITF-14 and the
GTIN inside GS1 data through domain.barcodes; Code 39 and Code 128 carry no
visible check digit and QR/DataMatrix rely on their error correction.
"""

from __future__ import annotations

import zxingcpp

from adapters.barcode.result import DecodedCode, UnitsHint
from domain.barcodes import InvalidBarcode, Symbology, parse_barcode
from domain.gs1 import InvalidGs1, parse_element_string

F = zxingcpp.BarcodeFormat

# The symbologies the shop uses; restricting the decoder to them is faster and avoids misreads.
READ_FORMATS = (F.EAN13, F.EAN8, F.UPCA, F.UPCE, F.Code128, F.Code39, F.ITF, F.QRCode, F.DataMatrix)

_MATRIX_NAMES = {F.QRCode: "QR", F.DataMatrix: "DataMatrix"}
_GS1_IDENTIFIERS = ("]C1", "]d2", "]Q3")


def decoded_code(barcode: zxingcpp.Barcode) -> DecodedCode | None:
    """Our checked view of one zxing-cpp result; None when it fails its check."""
    try:
        if barcode.symbology_identifier in _GS1_IDENTIFIERS:
            return _gs1_code(barcode)
        if barcode.format in (F.EAN13, F.EAN8, F.UPCA, F.UPCE, F.ITF):
            return _gtin_code(barcode)
    except (InvalidBarcode, InvalidGs1):
        return None
    if barcode.format in _MATRIX_NAMES:
        return DecodedCode(_MATRIX_NAMES[barcode.format], barcode.text)
    if barcode.format in (F.Code128, F.Code39):
        return _label_code(barcode)
    return None


def _gtin_code(barcode: zxingcpp.Barcode) -> DecodedCode | None:
    fmt, text = barcode.format, barcode.text
    if fmt == F.UPCE:
        name, text, symbology = "UPC-E", barcode.extra.get("UPCE", text), Symbology.UPCE
    elif fmt == F.ITF:
        # Plain ITF of other lengths is not a trade item number.
        if len(text) != 14:
            return None
        name, symbology = "ITF-14", Symbology.GTIN14
    elif fmt == F.EAN8:
        name, symbology = "EAN-8", Symbology.EAN8
    elif text.startswith("0") and len(text) == 13:
        # zxing-cpp reports UPC-A as an EAN-13 with a leading zero; they are the same number.
        name, text, symbology = "UPC-A", text[1:], Symbology.UPCA
    else:
        name, symbology = "EAN-13", Symbology.EAN13
    parsed = parse_barcode(text, symbology)
    return DecodedCode(name, text, parsed.key, gtin=parsed.key, units_hint=units_hint(parsed.key))


def _gs1_code(barcode: zxingcpp.Barcode) -> DecodedCode:
    data = parse_element_string(barcode.symbology_identifier + barcode.bytes.decode("latin-1"))
    text = "".join(f"({ai}){value}" for ai, value in data.fields.items())
    name = _MATRIX_NAMES.get(barcode.format, "Code 128")
    key = parse_barcode(data.gtin, Symbology.GTIN14).key if data.gtin else None
    return DecodedCode(name, text, key, data.gtin, data.batch, data.expiry, units_hint(key) if key else None)


def _label_code(barcode: zxingcpp.Barcode) -> DecodedCode:
    name = "Code 128" if barcode.format == F.Code128 else "Code 39"
    try:
        key = parse_barcode(barcode.text, Symbology.CODE128).key
    except InvalidBarcode:
        key = None
    return DecodedCode(name, barcode.text, key)


def units_hint(gtin_key: str) -> UnitsHint:
    """Indicator digit of the 14-digit key: 0 a consumer unit, 1-8 a carton or case, 9 variable measure."""
    indicator = gtin_key[0]
    if indicator == "0":
        return UnitsHint.UNIT
    return UnitsHint.VARIABLE_MEASURE if indicator == "9" else UnitsHint.CARTON
