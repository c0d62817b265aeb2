"""The decoding pipeline: cheap whole-photo read first, then targeted crops, then fallbacks.

zxing-cpp reads upright, sharp codes in one pass but misses linear codes
turned off axis, blurred, tiny or dim ones. So after one whole-photo read we
look for bar-like regions no found code explains, and work on each crop:
turned so its bars stand upright, then contrast-stretched, sharpened,
smoothed or enlarged. We stop when every candidate region is explained; only
a photo with nothing found pays for the whole-photo fallbacks (other angles,
equalisation, inversion, pyzbar).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from adapters.barcode import zbar
from adapters.barcode.loading import load_grayscale
from adapters.barcode.regions import Region, candidate_regions
from adapters.barcode.result import DecodedCode, ScanResult, ScanStatus
from adapters.barcode.symbols import READ_FORMATS, decoded_code

# Whole-photo reads happen at most this large; zxing-cpp's own downscaling copes with big codes.
READ_SIDE = 2000


def decode_image_bytes(data: bytes) -> ScanResult:
    """Decode every barcode in an image file's bytes (synchronous; CPU-bound)."""
    loaded = load_grayscale(data)
    if loaded.status is not ScanStatus.OK:
        return ScanResult(loaded.status)
    return ScanResult.of(decode_pixels(loaded.pixels))


def decode_pixels(gray: np.ndarray) -> list[DecodedCode]:
    """Every checked code in an upright 8-bit grayscale image."""
    found = _Findings()
    whole = _fit(gray, READ_SIDE)
    found.add(_read(whole.pixels, try_invert=False), whole.scale)
    for region in candidate_regions(gray):
        if not found.explains(region):
            _read_region(gray, region, found)
    if not found.codes:
        _fallbacks(whole.pixels, found)
    return found.codes


class _Findings:
    """Codes found so far (deduplicated) and where they sit in the photo."""

    def __init__(self) -> None:
        self.codes: list[DecodedCode] = []
        self._boxes: list[tuple[float, float, float, float]] = []

    def add(self, barcodes: list[zxingcpp.Barcode], scale: float = 1.0) -> bool:
        """Keep the checked ones; True when at least one was new."""
        new = False
        for barcode in barcodes:
            code = decoded_code(barcode)
            if code is None:
                continue
            if scale and barcode.position is not None:
                self._boxes.append(_box(barcode.position, scale))
            if code not in self.codes:
                self.codes.append(code)
                new = True
        return new

    def explains(self, region: Region) -> bool:
        x, y = region.centre
        return any(left <= x <= right and top <= y <= bottom for left, top, right, bottom in self._boxes)


def _box(position: zxingcpp.Position, scale: float) -> tuple[float, float, float, float]:
    points = [position.top_left, position.top_right, position.bottom_right, position.bottom_left]
    xs, ys = [p.x / scale for p in points], [p.y / scale for p in points]
    # Linear codes are reported as a thin line across the bars: widen to the code's likely height.
    pad = max(max(xs) - min(xs), max(ys) - min(ys)) * 0.3
    return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad


def _read(pixels: np.ndarray, **options) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(np.ascontiguousarray(pixels), formats=READ_FORMATS, **options)


class _Scaled:
    def __init__(self, pixels: np.ndarray, scale: float) -> None:
        self.pixels, self.scale = pixels, scale


def _fit(gray: np.ndarray, side: int) -> _Scaled:
    longest = max(gray.shape)
    if longest <= side:
        return _Scaled(gray, 1.0)
    scale = side / longest
    image = Image.fromarray(gray)
    size = (round(image.width * scale), round(image.height * scale))
    return _Scaled(np.asarray(image.resize(size, Image.BILINEAR, reducing_gap=2.0)), scale)


def _read_region(gray: np.ndarray, region: Region, found: _Findings) -> None:
    crop = _upright_crop(gray, region)
    for variant in _crop_variants(crop):
        if found.add(_read(variant, try_invert=False), scale=0.0):
            return


def _upright_crop(gray: np.ndarray, region: Region) -> Image.Image:
    """The region with a margin, turned so that the bars stand vertical."""
    height, width = gray.shape
    margin = max(region.bottom - region.top, region.right - region.left) // 4 + 8
    top, left = max(0, region.top - margin), max(0, region.left - margin)
    bottom, right = min(height, region.bottom + margin), min(width, region.right + margin)
    crop = Image.fromarray(gray[top:bottom, left:right])
    if abs(region.angle) > 3:
        crop = crop.rotate(region.angle, Image.BILINEAR, expand=True, fillcolor=int(np.median(gray[top:bottom, left:right])))
    return crop


def _crop_variants(crop: Image.Image) -> Iterator[np.ndarray]:
    yield np.asarray(crop)
    if max(crop.size) < 500:
        crop = crop.resize((crop.width * 2, crop.height * 2), Image.BICUBIC)
        yield np.asarray(crop)
    stretched = ImageOps.autocontrast(crop, cutoff=1)
    yield np.asarray(stretched)
    yield np.asarray(stretched.filter(ImageFilter.UnsharpMask(radius=2, percent=200, threshold=0)))
    yield np.asarray(stretched.filter(ImageFilter.GaussianBlur(1.2)))


_FALLBACKS: tuple[Callable[[Image.Image], Image.Image], ...] = (
    lambda image: image.rotate(45, Image.BILINEAR, expand=True),
    lambda image: ImageOps.equalize(image),
    lambda image: image.filter(ImageFilter.GaussianBlur(1.5)),
)


def _fallbacks(pixels: np.ndarray, found: _Findings) -> None:
    image = Image.fromarray(pixels)
    for transform in _FALLBACKS:
        if found.add(_read(np.asarray(transform(image))), scale=0.0):
            return
    found.codes.extend(zbar.read(pixels))
