"""Phone-photo-like barcode images, generated deterministically for the tests and the benchmark.

Each sample is a scene (a blotchy background, a white label carrying the
symbol) put through one condition a shop phone produces: rotation, tilt,
blur, noise, heavy JPEG, dim light, glare, a small code in a 12-megapixel
photo, several codes at once, or a JPEG whose EXIF orientation must be
honoured. Symbols are drawn with zxing-cpp's writer, which covers every
symbology we read including DataMatrix and GS1 modes. The same
(condition, index, seed) always gives the same bytes.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import barcode as python_barcode
import numpy as np
import zxingcpp
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from scipy import signal

from domain.barcodes import Symbology, gs1_check_digit, parse_barcode

F = zxingcpp.BarcodeFormat

CONDITIONS = (
    "clean", "rotated", "upside_down", "perspective", "gaussian_blur", "motion_blur", "noise",
    "jpeg_q20", "dim", "low_contrast", "glare", "small_in_12mp", "several", "exif_rotated", "inverted", "no_code",
)  # fmt: skip

# Our format name -> how to draw it.
SYMBOLOGIES = (
    "EAN-13", "EAN-8", "UPC-A", "UPC-E", "Code 128", "Code 39", "ITF-14", "QR", "DataMatrix",
    "GS1-128", "GS1 DataMatrix", "GS1 QR",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Sample:
    """One image file and the (format, text) pairs a reader must find in it."""

    name: str
    condition: str
    data: bytes
    expected: frozenset[tuple[str, str]]


def generate_corpus(
    per_condition: int, seed: int = 7, conditions: tuple[str, ...] = CONDITIONS
) -> list[Sample]:
    """`per_condition` samples for each condition, cycling through the symbologies."""
    return [make_sample(condition, index, seed) for condition in conditions for index in range(per_condition)]


def make_sample(condition: str, index: int, seed: int = 7) -> Sample:
    """The `index`-th sample of a condition; symbologies rotate with the index."""
    rng = random.Random(f"{seed}/{condition}/{index}")
    noise = np.random.default_rng(rng.randrange(2**32))
    count = {"several": 3, "no_code": 0}.get(condition, 1)
    kinds = [SYMBOLOGIES[(index + k * 5) % len(SYMBOLOGIES)] for k in range(count)]
    symbols = [_symbol(kind, rng, _module_size(condition, kind, rng)) for kind in kinds]
    image, exif = _CONDITIONS[condition](symbols, rng, noise)
    quality = 20 if condition == "jpeg_q20" else rng.randint(80, 92)
    expected = frozenset((fmt, text) for fmt, text, _ in symbols)
    return Sample(f"{condition}-{index:02d}", condition, _jpeg(image, quality, exif), expected)


def identity(fmt: str, text: str) -> str:
    """What makes two reads the same product: the GTIN key for EAN/UPC/ITF-14, else the text.

    Lets a decoder that reports a UPC-E in its expanded UPC-A form still count as right.
    """
    gtin_symbologies = {"EAN-13": Symbology.EAN13, "EAN-8": Symbology.EAN8, "UPC-A": Symbology.UPCA,
                        "UPC-E": Symbology.UPCE, "ITF-14": Symbology.GTIN14}  # fmt: skip
    return parse_barcode(text, gtin_symbologies[fmt]).key if fmt in gtin_symbologies else text


def junk_bytes(size: int = 4096, seed: int = 7) -> bytes:
    """Bytes that are no image at all."""
    return random.Random(seed).randbytes(size)


def truncated_jpeg(seed: int = 7) -> bytes:
    """A JPEG cut off after its header: the file says it is an image but cannot be decoded."""
    data = make_sample("clean", 0, seed).data
    return data[: len(data) // 8]


# --- symbols --------------------------------------------------------------------------------------


def _module_size(condition: str, kind: str, rng: random.Random) -> int:
    matrix = kind in ("QR", "DataMatrix", "GS1 DataMatrix", "GS1 QR")
    if condition in ("gaussian_blur", "motion_blur"):
        return rng.choice((4, 5)) if matrix else rng.choice((3, 4))
    if condition == "small_in_12mp":
        return rng.choice((3, 4)) if matrix else 2
    return rng.choice((3, 4, 5)) if matrix else rng.choice((2, 3, 4))


def _symbol(kind: str, rng: random.Random, module: int) -> tuple[str, str, Image.Image]:
    """(our format name, the text a reader reports, the drawn symbol on white with quiet zones)."""
    fmt, content, text, options = _content(kind, rng)
    reported = {"GS1-128": "Code 128", "GS1 DataMatrix": "DataMatrix", "GS1 QR": "QR"}.get(kind, kind)
    # Half the retail and label codes come from python-barcode, with the digits printed under
    # the bars as on real packs; the rest, and every 2D and GS1 code, from zxing-cpp's writer.
    if kind in _PYTHON_BARCODE_NAMES and rng.random() < 0.5:
        return reported, text, _python_barcode(kind, content, module)
    barcode = zxingcpp.create_barcode(content, fmt, **options)
    pixels = np.array(barcode.to_image(scale=module, add_quiet_zones=True))
    image = Image.fromarray(pixels)
    if fmt in (F.DataMatrix, F.QRCode):
        image = _pad(image, 2 * module)
    elif image.height < image.width // 3:
        image = image.resize((image.width, max(image.width // 3, image.height)), Image.NEAREST)
    return reported, text, image


_PYTHON_BARCODE_NAMES = {
    "EAN-13": "ean13",
    "EAN-8": "ean8",
    "UPC-A": "upca",
    "Code 39": "code39",
    "Code 128": "code128",
}


def _python_barcode(kind: str, content: str, module: int) -> Image.Image:
    # python-barcode computes EAN/UPC check digits itself and sizes in millimetres: at 254 dpi 0.1 mm is a pixel.
    data = content[:-1] if kind in ("EAN-13", "EAN-8", "UPC-A") else content
    options = {"add_checksum": False} if kind == "Code 39" else {}
    symbol = python_barcode.get(_PYTHON_BARCODE_NAMES[kind], data, writer=ImageWriter(), options=options)
    return symbol.render(
        {"module_width": 0.1 * module, "module_height": 6.0 * module, "quiet_zone": 1.2 * module,
         "font_size": 4 * module, "text_distance": 1.5 * module, "dpi": 254}
    ).convert("L")  # fmt: skip


def _content(kind: str, rng: random.Random) -> tuple[zxingcpp.BarcodeFormat, str, str, dict]:
    if kind == "EAN-13":
        code = _gtin(rng, 13, prefix=str(rng.randint(1, 9)))
        return F.EAN13, code, code, {}
    if kind == "EAN-8":
        code = _gtin(rng, 8)
        return F.EAN8, code, code, {}
    if kind == "UPC-A":
        code = _gtin(rng, 12)
        return F.UPCA, code, code, {}
    if kind == "UPC-E":
        code = _upce(rng)
        return F.UPCE, code, code, {}
    if kind == "ITF-14":
        code = _gtin(rng, 14, prefix=str(rng.randint(1, 8)))
        return F.ITF14, code, code, {}
    if kind == "Code 128":
        text = f"SKU-{rng.randint(0, 99999):05d}/{rng.choice('ABCDEFGH')}{rng.randint(10, 99)}"
        return F.Code128, text, text, {}
    if kind == "Code 39":
        text = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(rng.randint(6, 9)))
        return F.Code39, text, text, {}
    if kind in ("QR", "DataMatrix"):
        text = f"https://shop.example/p/{rng.randint(100000, 999999)}?s={rng.randint(1, 400)}"
        return (F.QRCode if kind == "QR" else F.DataMatrix), text, text, {}
    element = _gs1_element_string(rng)
    fmt = {"GS1-128": F.Code128, "GS1 DataMatrix": F.DataMatrix, "GS1 QR": F.QRCode}[kind]
    return fmt, element, element, {"gs1": True}


def _gtin(rng: random.Random, length: int, prefix: str = "") -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - 1 - len(prefix)))
    return body + str(gs1_check_digit(body))


def _upce(rng: random.Random) -> str:
    # Last digit 5-9 keeps the expansion simple: five digits, four zeros, that digit.
    digits = "".join(str(rng.randint(1, 9)) for _ in range(5)) + str(rng.randint(5, 9))
    upca = "0" + digits[:5] + "0000" + digits[5]
    return "0" + digits + str(gs1_check_digit(upca))


def _gs1_element_string(rng: random.Random) -> str:
    gtin = _gtin(rng, 14, prefix=str(rng.randint(0, 8)))
    expiry = f"{rng.randint(26, 31):02d}{rng.randint(1, 12):02d}{rng.choice((0, rng.randint(1, 28))):02d}"
    batch = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(rng.randint(3, 8)))
    return f"(01){gtin}(17){expiry}(10){batch}"


def _pad(image: Image.Image, border: int) -> Image.Image:
    padded = Image.new("L", (image.width + 2 * border, image.height + 2 * border), 255)
    padded.paste(image, (border, border))
    return padded


# --- scenes and conditions ------------------------------------------------------------------------

Symbols = list[tuple[str, str, Image.Image]]


def _background(size: tuple[int, int], noise: np.random.Generator) -> Image.Image:
    """Blotchy, unevenly lit surface, like a shelf or a counter."""
    blotches = noise.uniform(70, 190, size=(6, 8)).astype(np.uint8)
    return Image.fromarray(blotches).resize(size, Image.BICUBIC)


def _label(symbol: Image.Image, rng: random.Random, inverted: bool = False) -> Image.Image:
    margin, paper, ink = rng.randint(8, 30), rng.randint(225, 250), rng.randint(10, 40)
    if inverted:
        paper, ink = ink, paper
    label = Image.new("L", (symbol.width + 2 * margin, symbol.height + 2 * margin), paper)
    label.paste(symbol.point(lambda v: paper if v > 127 else ink), (margin, margin))
    return label


def _place(scene: Image.Image, labels: list[Image.Image], rng: random.Random, angle: float = 0.0) -> None:
    """Paste labels, rotated by `angle`, each at a random spot of its own cell of a 2x2 grid.

    A label too big for its cell is shrunk, as a phone held further away would.
    """
    columns, rows = (2, 2) if len(labels) > 1 else (1, 1)
    cell_width, cell_height = scene.width // columns, scene.height // rows
    for slot, label in enumerate(labels):
        mask = Image.new("L", label.size, 255)
        if angle:
            label = label.rotate(angle, Image.BICUBIC, expand=True)
            mask = mask.rotate(angle, Image.BILINEAR, expand=True)
        shrink = min(1.0, 0.95 * cell_width / label.width, 0.95 * cell_height / label.height)
        if shrink < 1.0:
            size = (int(label.width * shrink), int(label.height * shrink))
            label, mask = label.resize(size, Image.BILINEAR), mask.resize(size, Image.BILINEAR)
        x = (slot % columns) * cell_width + rng.randint(0, cell_width - label.width)
        y = (slot // columns) * cell_height + rng.randint(0, cell_height - label.height)
        scene.paste(label, (x, y), mask)


def _scene(
    symbols: Symbols, rng: random.Random, noise: np.random.Generator, size=None, angle=0.0, inverted=False
) -> Image.Image:
    size = size or rng.choice(((1280, 960), (960, 1280), (1024, 768), (800, 600)))
    if len(symbols) > 1:
        size = (1600, 900)
    scene = _background(size, noise)
    _place(scene, [_label(image, rng, inverted) for _, _, image in symbols], rng, angle)
    return scene


def _sensor(image: Image.Image, noise: np.random.Generator, sigma: float) -> Image.Image:
    # A 512x512 tile of noise, repeated: as random as a sensor for a decoder, and fast on 12 MP.
    tile = np.rint(sigma * noise.standard_normal((512, 512))).astype(np.int16)
    reps = (image.height // 512 + 1, image.width // 512 + 1)
    pixels = np.asarray(image, dtype=np.int16) + np.tile(tile, reps)[: image.height, : image.width]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _clean(symbols, rng, noise):
    return _sensor(_scene(symbols, rng, noise), noise, 3), None


def _rotated(symbols, rng, noise):
    angle = rng.choice((-1, 1)) * rng.uniform(5, 90)
    return _sensor(_scene(symbols, rng, noise, angle=angle), noise, 3), None


def _upside_down(symbols, rng, noise):
    return _sensor(_scene(symbols, rng, noise, angle=180 + rng.uniform(-8, 8)), noise, 3), None


def _perspective(symbols, rng, noise):
    scene = _scene(symbols, rng, noise, size=(1024, 768), angle=rng.uniform(-15, 15))
    w, h = scene.size
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    tilt = 0.12 + 0.08 * rng.random()
    shifted = [
        (x + rng.uniform(-tilt, tilt) * w / 2, y + rng.uniform(-tilt, tilt) * h / 2) for x, y in corners
    ]
    warped = scene.transform(
        scene.size, Image.PERSPECTIVE, _perspective_coefficients(corners, shifted), Image.BICUBIC
    )
    return _sensor(warped, noise, 3), None


def _perspective_coefficients(target, source) -> tuple[float, ...]:
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return tuple(np.linalg.solve(np.array(rows, float), np.array(values, float)))


def _gaussian_blur(symbols, rng, noise):
    scene = _scene(symbols, rng, noise, angle=rng.uniform(-20, 20))
    return _sensor(scene.filter(ImageFilter.GaussianBlur(rng.uniform(1.2, 2.0))), noise, 3), None


def _motion_blur(symbols, rng, noise):
    scene = _scene(symbols, rng, noise, angle=rng.uniform(-20, 20))
    kernel = _motion_kernel(rng.uniform(3, 7), rng.uniform(0, 180))
    smeared = signal.fftconvolve(np.asarray(scene, dtype=np.float32), kernel, mode="same")
    return _sensor(Image.fromarray(np.clip(smeared, 0, 255).astype(np.uint8)), noise, 3), None


def _motion_kernel(length: float, degrees: float) -> np.ndarray:
    """A straight camera shake of `length` pixels: an anti-aliased line, drawn 8x larger and reduced."""
    size, scale = int(length) // 2 * 2 + 3, 8
    canvas = Image.new("L", (size * scale, size * scale), 0)
    centre, reach = size * scale / 2, length * scale / 2
    dx, dy = reach * np.cos(np.radians(degrees)), reach * np.sin(np.radians(degrees))
    ImageDraw.Draw(canvas).line((centre - dx, centre - dy, centre + dx, centre + dy), fill=255, width=scale)
    kernel = np.asarray(canvas.reduce(scale), dtype=np.float32)
    return kernel / kernel.sum()


def _noise(symbols, rng, noise):
    return _sensor(_scene(symbols, rng, noise, angle=rng.uniform(-10, 10)), noise, rng.uniform(18, 28)), None


def _jpeg_q20(symbols, rng, noise):
    return _sensor(_scene(symbols, rng, noise, angle=rng.uniform(-10, 10)), noise, 4), None


def _dim(symbols, rng, noise):
    scene = _scene(symbols, rng, noise, angle=rng.uniform(-10, 10))
    return _sensor(scene.point(lambda v: v * rng.uniform(0.18, 0.3)), noise, 2), None


def _low_contrast(symbols, rng, noise):
    scene = _scene(symbols, rng, noise, angle=rng.uniform(-10, 10))
    low, span = rng.randint(90, 130), rng.randint(35, 55)
    return _sensor(scene.point(lambda v: low + v * span // 255), noise, 2), None


def _glare(symbols, rng, noise):
    scene = _scene(symbols, rng, noise, angle=rng.uniform(-10, 10))
    pixels = np.asarray(scene, dtype=np.float32)
    ys, xs = np.mgrid[0 : scene.height, 0 : scene.width]
    cy, cx = _darkest_centre(pixels)
    cx += rng.uniform(-0.25, 0.25) * scene.width / 4
    radius = rng.uniform(0.05, 0.09) * scene.width
    spot = 200 * np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * radius**2))
    return _sensor(Image.fromarray(np.clip(pixels + spot, 0, 255).astype(np.uint8)), noise, 3), None


def _darkest_centre(pixels: np.ndarray) -> tuple[float, float]:
    """Centre of the symbol's dark modules, so the glare spot lands on the code."""
    ys, xs = np.nonzero(pixels < 60)
    return float(np.median(ys)), float(np.median(xs))


def _small_in_12mp(symbols, rng, noise):
    return _sensor(_scene(symbols, rng, noise, size=(4000, 3000), angle=rng.uniform(-8, 8)), noise, 3), None


def _several(symbols, rng, noise):
    return _sensor(_scene(symbols, rng, noise, angle=rng.uniform(-8, 8)), noise, 3), None


def _inverted(symbols, rng, noise):
    """Light bars on a dark label, as printed on some dark packaging."""
    return _sensor(_scene(symbols, rng, noise, angle=rng.uniform(-10, 10), inverted=True), noise, 3), None


def _no_code(symbols, rng, noise):
    """A price label with printed text and rules but no barcode: nothing may be read from it."""
    scene = _background(rng.choice(((1280, 960), (1024, 768))), noise)
    label = Image.new("L", (rng.randint(300, 500), rng.randint(150, 260)), rng.randint(225, 250))
    draw = ImageDraw.Draw(label)
    font = ImageFont.load_default(size=rng.randint(14, 22))
    for line in range(0, label.height - 30, 30):
        words = " ".join(
            rng.choice(("PRICE", "RMB", "12.50", "KG", "NO.", "8831", "||", "SALE")) for _ in range(5)
        )
        draw.text((10, line + 8), words, fill=rng.randint(10, 60), font=font)
        draw.line((10, line + 32, label.width - 10, line + 32), fill=80, width=rng.randint(1, 3))
    _place(scene, [label], rng, angle=rng.uniform(-15, 15))
    return _sensor(scene, noise, 3), None


def _exif_rotated(symbols, rng, noise):
    upright = _sensor(_scene(symbols, rng, noise), noise, 3)
    orientation = rng.choice((3, 6, 8))
    # Stored pixels are the upright image turned the way a phone sensor holds it;
    # the EXIF tag tells viewers how to turn it back.
    stored = upright.transpose({3: Image.ROTATE_180, 6: Image.ROTATE_90, 8: Image.ROTATE_270}[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    return stored, exif


_CONDITIONS = {
    "clean": _clean, "rotated": _rotated, "upside_down": _upside_down, "perspective": _perspective,
    "gaussian_blur": _gaussian_blur, "motion_blur": _motion_blur, "noise": _noise, "jpeg_q20": _jpeg_q20,
    "dim": _dim, "low_contrast": _low_contrast, "glare": _glare, "small_in_12mp": _small_in_12mp,
    "several": _several, "exif_rotated": _exif_rotated, "inverted": _inverted, "no_code": _no_code,
}  # fmt: skip


def _jpeg(image: Image.Image, quality: int, exif: Image.Exif | None) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, **({"exif": exif.tobytes()} if exif else {}))
    return out.getvalue()
