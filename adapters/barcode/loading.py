"""Bytes from a chat into an upright grayscale pixel array, or the reason they cannot be."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from adapters.barcode.result import ScanStatus

# Telegram lets a bot download files up to 20 MB; anything bigger never reaches us whole.
MAX_IMAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LoadedImage:
    pixels: np.ndarray | None
    status: ScanStatus = ScanStatus.OK


def load_grayscale(data: bytes) -> LoadedImage:
    """Decode image bytes to an upright (EXIF orientation honoured) 8-bit grayscale array."""
    if len(data) > MAX_IMAGE_BYTES:
        return LoadedImage(None, ScanStatus.TOO_LARGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            # Decoding only the luma of a JPEG skips colour conversion: a third faster on 12 MP photos.
            image.draft("L", image.size)
            image = _on_white(ImageOps.exif_transpose(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return LoadedImage(None, ScanStatus.TOO_LARGE)
    except UnidentifiedImageError:
        return LoadedImage(None, ScanStatus.NOT_AN_IMAGE)
    except (OSError, ValueError, SyntaxError):
        return LoadedImage(None, ScanStatus.UNREADABLE)
    return LoadedImage(np.asarray(image))


def _on_white(image: Image.Image) -> Image.Image:
    """Grayscale, with transparent parts white: a code exported with a transparent background
    would otherwise turn into black bars on black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    return image.convert("L")
