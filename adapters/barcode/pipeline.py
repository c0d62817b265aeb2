"""The decoding pipeline: one whole-photo read, then targeted crops, then fallbacks.

zxing-cpp reads upright, sharp codes in one pass but misses linear codes
turned off axis, blurred, tiny, dim or printed light on dark. So after one
whole-photo read (at half size when the photo is huge or noisy) we look for
bar-like regions that no code found so far explains, and read each crop
turned so its bars stand upright: equalised, as it is, through pyzbar,
sharpened, smoothed, enlarged when small, until a read is trustworthy. A
photo is done when every candidate region is explained, so several codes in
one photo are all collected while a single clean code costs one read, one
confirming look at its crop (EAN/UPC/ITF/Code 39 check digits are weak) and
the region search. Only a photo with nothing found pays for the whole-photo
fallbacks (equalised, then pyzbar).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from adapters.barcode import zbar
from adapters.barcode.loading import load_grayscale
from adapters.barcode.reads import Box, checked_reads, is_trusted, widened
from adapters.barcode.regions import Region, bar_angle, candidate_regions
from adapters.barcode.result import DecodedCode, ScanResult, ScanStatus
from adapters.barcode.symbols import READ_FORMATS

# Whole-photo reads happen at most this large; zxing-cpp's own downscaling copes with big codes.
READ_SIDE = 2000
# The whole-photo pyzbar fallback reads at most this large.
ZBAR_SIDE = 1280
# Crops are read at most this large.
CROP_SIDE = 1200
# Sensor noise (grey levels, standard deviation) above which the photo is read at half size:
# averaging 2x2 pixels halves the noise, and zxing-cpp slows down badly on noisy pixels.
NOISY = 8.0


def decode_image_bytes(data: bytes) -> ScanResult:
    """Decode every barcode in an image file's bytes (synchronous; CPU-bound)."""
    loaded = load_grayscale(data)
    if loaded.status is not ScanStatus.OK:
        return ScanResult(loaded.status)
    return ScanResult.of(decode_pixels(loaded.pixels))


def decode_pixels(gray: np.ndarray) -> list[DecodedCode]:
    """Every checked code in an upright 8-bit grayscale image."""
    found = _Findings()
    half = _half(gray)
    whole = half if _noise_level(gray) > NOISY or max(gray.shape) > READ_SIDE else _Scaled(gray, 1.0)
    whole = _fit(whole, READ_SIDE)
    # try_invert finds light-on-dark QR and DataMatrix (not linear codes: see _crop_readings).
    _take_whole_reads(checked_reads(_read(whole.pixels, try_invert=True)), whole.scale, gray, found)
    for region in candidate_regions(half.pixels, to_photo=2.0):
        if not found.explains(region):
            _vote(_upright_crop(gray, region), Counter(), found)
    if not found.codes:
        # Last tries on the whole photo; on the corpus only these two found what the rest missed.
        equalized = np.asarray(ImageOps.equalize(Image.fromarray(whole.pixels)))
        _take_whole_reads(checked_reads(_read(equalized)), whole.scale, gray, found)
    if not found.codes:
        # zbar is slow on big images (~90 ms at 2000 px); the codes only it finds are not small ones.
        small = _fit(whole, ZBAR_SIDE)
        _take_whole_reads(zbar.read_with_boxes(small.pixels), small.scale, gray, found)
    return found.codes


def _take_whole_reads(
    reads: list[tuple[DecodedCode, Box]], scale: float, gray: np.ndarray, found: _Findings
) -> None:
    """Keep reads of the whole photo, a weakly checked one only once its crop confirms it."""
    for code, box in reads:
        area = found.mark(box, scale)
        if is_trusted(code, Counter({code: 1})):
            found.keep(code)
        else:
            _confirm(gray, code, area, found)


class _Findings:
    """Codes found so far (deduplicated) and where they sit in the photo."""

    def __init__(self) -> None:
        self.codes: list[DecodedCode] = []
        self._boxes: list[Box] = []

    def mark(self, box: Box, scale: float) -> Box:
        """Note where a whole-photo read sits (`scale` maps it onto the photo); the area in photo pixels."""
        area = widened(box, scale)
        self._boxes.append(area)
        return area

    def keep(self, code: DecodedCode) -> None:
        if code not in self.codes:
            self.codes.append(code)

    def explains(self, region: Region) -> bool:
        x, y = region.centre
        return any(left <= x <= right and top <= y <= bottom for left, top, right, bottom in self._boxes)


def _read(pixels: np.ndarray, **options) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(np.ascontiguousarray(pixels), formats=READ_FORMATS, **options)


def _noise_level(gray: np.ndarray) -> float:
    """Standard deviation of sensor noise, from diagonal neighbours in a sample of rows.

    In flat areas, which most of a photo is, neighbours differ by noise alone;
    the median ignores the edges.
    """
    step = max(8, gray.shape[0] // 64)
    rows = gray[: gray.shape[0] - 1 : step]
    below = gray[1::step][: rows.shape[0]]
    differences = np.abs(rows[:, :-1].astype(np.int16) - below[:, 1:])
    return float(np.median(differences)) / (0.6745 * np.sqrt(2))


def _half(gray: np.ndarray) -> _Scaled:
    return _Scaled(np.asarray(Image.fromarray(gray).reduce(2)), 0.5)


class _Scaled(NamedTuple):
    pixels: np.ndarray
    scale: float  # photo pixels times scale = these pixels


def _fit(image: _Scaled, side: int) -> _Scaled:
    """The image reduced by whole factors (box filter, fast) until its longest side fits."""
    factor = math.ceil(max(image.pixels.shape) / side)
    if factor == 1:
        return image
    return _Scaled(np.asarray(Image.fromarray(image.pixels).reduce(factor)), image.scale / factor)


def _confirm(gray: np.ndarray, code: DecodedCode, area: Box, found: _Findings) -> None:
    """Keep a weakly checked whole-photo read only if a closer look at its spot agrees."""
    height, width = gray.shape
    left, top = max(0, int(area[0])), max(0, int(area[1]))
    right, bottom = min(width, int(area[2])), min(height, int(area[3]))
    angle = bar_angle(gray[top:bottom, left:right]) if bottom - top > 24 and right - left > 24 else 0.0
    _vote(_upright_crop(gray, Region(top, left, bottom, right, angle, 0.0)), Counter({code: 1}), found)


def _vote(crop: Image.Image, votes: Counter[DecodedCode], found: _Findings) -> None:
    """Read a crop with several decoders and filters until a read is trusted (see reads.is_trusted)."""
    for codes in _crop_readings(crop):
        votes.update(set(codes))
        accepted = [code for code in votes if is_trusted(code, votes)]
        if accepted:
            for code in accepted:
                found.keep(code)
            return


def _upright_crop(gray: np.ndarray, region: Region) -> Image.Image:
    """The region with a margin, turned so that the bars stand vertical."""
    height, width = gray.shape
    margin = max(region.bottom - region.top, region.right - region.left) // 4 + 8
    top, left = max(0, region.top - margin), max(0, region.left - margin)
    bottom, right = min(height, region.bottom + margin), min(width, region.right + margin)
    crop = Image.fromarray(gray[top:bottom, left:right])
    if abs(region.angle) > 3:
        crop = crop.rotate(
            region.angle, Image.BILINEAR, expand=True, fillcolor=int(np.median(gray[top:bottom, left:right]))
        )
    return crop


def _crop_readings(crop: Image.Image) -> Iterator[list[DecodedCode]]:
    """Readings of one crop, as independent as we can make them, cheapest and most telling first."""
    if max(crop.size) < 500:
        # zxing-cpp wants a few pixels per module; small crops come from distant or tiny codes.
        crop = crop.resize((crop.width * 2, crop.height * 2), Image.BICUBIC)
    elif max(crop.size) > CROP_SIDE:
        # A region this big holds a big code (or is clutter): fewer pixels read as well, and faster.
        crop = crop.reduce(math.ceil(max(crop.size) / CROP_SIDE))
    # Equalising a crop (mostly label and bars) fixes dim, glare and low contrast at once:
    # measured on the corpus it is the single best reading, and pyzbar the best second opinion.
    equalized = np.asarray(ImageOps.equalize(crop))
    codes = _zxing_codes(equalized)
    if not codes:
        # Light bars on dark packaging; zxing-cpp's own try_invert does not find these linear codes.
        codes = _zxing_codes(255 - equalized)
        if codes:
            crop = ImageOps.invert(crop)
    yield codes
    pixels = np.asarray(crop)
    yield zbar.read(pixels)
    yield _zxing_codes(pixels)
    stretched = ImageOps.autocontrast(crop, cutoff=1)
    yield _zxing_codes(
        np.asarray(stretched.filter(ImageFilter.UnsharpMask(radius=2, percent=200, threshold=0)))
    )
    yield _zxing_codes(np.asarray(stretched.filter(ImageFilter.GaussianBlur(1.2))))


def _zxing_codes(pixels: np.ndarray) -> list[DecodedCode]:
    return [code for code, _ in checked_reads(_read(pixels, try_invert=False, try_rotate=False))]
