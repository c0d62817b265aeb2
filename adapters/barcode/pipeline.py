"""The decoding pipeline: one whole-photo read, then targeted crops, then fallbacks.

zxing-cpp reads upright, sharp codes in one pass but misses linear codes
turned off axis, blurred, tiny, dim or printed light on dark. So after one
whole-photo read (at half size when the photo is huge or noisy) we look for
bar-like regions that no code found so far explains, and read each crop
turned so its bars stand upright: equalised, as it is, through pyzbar,
sharpened, smoothed, enlarged when small, until a read is trustworthy. A
photo is done when every candidate region is explained, so several codes in
one photo are all collected while a single clean code costs one read and the
region search. Only a photo with nothing found pays for the whole-photo
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
from adapters.barcode.regions import Region, bar_angle, candidate_regions
from adapters.barcode.result import DecodedCode, ScanResult, ScanStatus
from adapters.barcode.symbols import READ_FORMATS, decoded_code

# Formats whose own check catches a misread bar: Code 128's mod-103 symbol, QR and DataMatrix ECC.
STRONG_CHECKS = frozenset({"Code 128", "QR", "DataMatrix"})
# Whole-photo reads happen at most this large; zxing-cpp's own downscaling copes with big codes.
READ_SIDE = 2000
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
    whole = half if noise_level(gray) > NOISY or max(gray.shape) > READ_SIDE else _Scaled(gray, 1.0)
    whole = _fit(whole, READ_SIDE)
    # try_invert finds light-on-dark QR and DataMatrix (not linear codes: see _crop_readings).
    for code, box in checked_reads(_read(whole.pixels, try_invert=True)):
        area = found.mark(box, whole.scale)
        if code.format in STRONG_CHECKS:
            found.keep(code)
        else:
            _confirm(gray, code, area, found)
    for region in candidate_regions(half.pixels, to_photo=2.0):
        if not found.explains(region):
            _vote(_upright_crop(gray, region), Counter(), found)
    if not found.codes:
        _fallbacks(whole.pixels, found)
    return found.codes


Box = tuple[float, float, float, float]  # left, top, right, bottom


class _Findings:
    """Codes found so far (deduplicated) and where they sit in the photo."""

    def __init__(self) -> None:
        self.codes: list[DecodedCode] = []
        self._boxes: list[Box] = []

    def mark(self, box: Box, scale: float) -> Box:
        """Note where a whole-photo read sits (`scale` maps it onto the photo); the area in photo pixels."""
        area = _widened(box, scale)
        self._boxes.append(area)
        return area

    def keep(self, code: DecodedCode) -> None:
        if code not in self.codes:
            self.codes.append(code)

    def explains(self, region: Region) -> bool:
        x, y = region.centre
        return any(left <= x <= right and top <= y <= bottom for left, top, right, bottom in self._boxes)


def checked_reads(barcodes: list[zxingcpp.Barcode]) -> list[tuple[DecodedCode, Box]]:
    """The reads that pass their checks and do not contradict each other, with their boxes."""
    reads = [(code, _bounds(barcode.position)) for barcode in barcodes if (code := decoded_code(barcode))]
    return _unambiguous(reads)


def _unambiguous(reads: list[tuple[DecodedCode, Box]]) -> list[tuple[DecodedCode, Box]]:
    """Drop reads that disagree about the same spot, and fragments of a bigger linear code.

    A blurred EAN can yield two values from different scan lines of one symbol,
    both with a valid check digit; neither can be trusted, so later attempts
    (other crops and filters) must settle it. Scan lines through the long guard
    bars and the digits under an EAN-13 can pass for a UPC-E next to it.
    """
    return [
        (code, box)
        for code, box in reads
        if not any(
            (other != code and _overlap(box, other_box) > 0.5) or _is_fragment(code, box, other, other_box)
            for other, other_box in reads
        )
    ]


def _is_fragment(code: DecodedCode, box: Box, other: DecodedCode, other_box: Box) -> bool:
    if code.format in STRONG_CHECKS or other.format in STRONG_CHECKS or other == code:
        return False
    return _length(box) < 0.8 * _length(other_box) and _overlap(box, _widened(other_box, 1.0)) > 0


def _length(box: Box) -> float:
    return max(box[2] - box[0], box[3] - box[1])


def _bounds(position: zxingcpp.Position) -> Box:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs, ys = [p.x for p in points], [p.y for p in points]
    return min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2


def _overlap(a: Box, b: Box) -> float:
    """Shared area as a share of the smaller box."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller


def _widened(box: Box, scale: float) -> Box:
    """The box in photo pixels, widened: linear codes are reported as a thin band across the bars."""
    left, top, right, bottom = (value / scale for value in box)
    pad = _length((left, top, right, bottom)) * 0.3
    return left - pad, top - pad, right + pad, bottom + pad


def _read(pixels: np.ndarray, **options) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(np.ascontiguousarray(pixels), formats=READ_FORMATS, **options)


def noise_level(gray: np.ndarray) -> float:
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
    """Read a crop with several decoders and filters until a read is trustworthy.

    Blur, and filters against it, can turn a bar into its neighbour's width, and
    an EAN's check digit misses two such errors; so a weakly checked code must
    be read the same way twice (whole photo, zxing-cpp and pyzbar on the crop,
    or two filters) and more often than any other value of its format.
    """
    for codes in _crop_readings(crop):
        votes.update(set(codes))
        accepted = [code for code in votes if code.format in STRONG_CHECKS or _confirmed(code, votes)]
        if accepted:
            for code in accepted:
                found.keep(code)
            return


def _confirmed(code: DecodedCode, votes: Counter[DecodedCode]) -> bool:
    rivals = [count for other, count in votes.items() if other.format == code.format and other != code]
    return votes[code] >= 2 and votes[code] > max(rivals, default=0)


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


def _fallbacks(pixels: np.ndarray, found: _Findings) -> None:
    """Last tries on the whole photo; on the corpus only these two ever found what the rest missed."""
    found.codes.extend(
        code for code, _ in checked_reads(_read(np.asarray(ImageOps.equalize(Image.fromarray(pixels)))))
    )
    if not found.codes:
        found.codes.extend(zbar.read(pixels))
