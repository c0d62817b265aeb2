"""Reading barcodes from phone photos sent in chats (zxing-cpp, with pyzbar as a second opinion)."""

from adapters.barcode.pipeline import decode_image_bytes
from adapters.barcode.reader import BarcodeReader
from adapters.barcode.result import DecodedCode, ScanResult, ScanStatus, UnitsHint

__all__ = ["BarcodeReader", "DecodedCode", "ScanResult", "ScanStatus", "UnitsHint", "decode_image_bytes"]
