"""What the bot is told when a file is no photo it can use."""

import io

import numpy as np
import zxingcpp
from PIL import Image

from adapters.barcode import ScanStatus, decode_image_bytes
from adapters.barcode.loading import MAX_IMAGE_BYTES, load_grayscale
from tests.support.barcode_corpus import junk_bytes, truncated_jpeg


def test_bytes_that_are_no_image_say_so():
    assert decode_image_bytes(junk_bytes()).status is ScanStatus.NOT_AN_IMAGE
    assert decode_image_bytes(b"").status is ScanStatus.NOT_AN_IMAGE


def test_a_truncated_jpeg_is_an_image_that_cannot_be_read():
    result = decode_image_bytes(truncated_jpeg())

    assert result.status is ScanStatus.UNREADABLE
    assert result.codes == []


def test_a_file_over_20_mb_is_refused_before_it_is_decoded():
    # A JPEG header followed by zeros: decoding it would fail, so only the size check can answer.
    oversized = b"\xff\xd8\xff\xe0" + bytes(MAX_IMAGE_BYTES)

    assert decode_image_bytes(oversized).status is ScanStatus.TOO_LARGE


def test_a_photo_without_a_barcode_finds_none(corpus_sample):
    result = decode_image_bytes(corpus_sample("no_code", 0).data)

    assert result.status is ScanStatus.NONE_FOUND
    assert result.codes == []


def test_exif_orientation_turns_the_photo_upright(corpus_sample):
    sample = corpus_sample("exif_rotated", 1)
    stored = Image.open(io.BytesIO(sample.data))
    turned = stored.getexif()[0x0112] in (6, 8)

    pixels = load_grayscale(sample.data).pixels

    assert (pixels.shape[1], pixels.shape[0]) == (stored.height, stored.width) if turned else stored.size
    assert decode_image_bytes(sample.data).status is ScanStatus.OK


def test_a_code_on_a_transparent_background_is_read_as_if_on_white():
    symbol = zxingcpp.create_barcode("4006381333931", zxingcpp.BarcodeFormat.EAN13).to_image(scale=3)
    bars = Image.fromarray(np.array(symbol))
    transparent = Image.new("RGBA", bars.size, (0, 0, 0, 0))
    transparent.putalpha(bars.point(lambda v: 255 - v))  # only the bars are opaque (black)
    png = io.BytesIO()
    transparent.save(png, "PNG")

    codes = decode_image_bytes(png.getvalue()).codes

    assert [(code.format, code.text) for code in codes] == [("EAN-13", "4006381333931")]
