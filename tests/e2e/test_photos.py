"""Barcode photos sent to a store group, through the real bot and decoder."""

from __future__ import annotations

import io

import barcode
from barcode.writer import ImageWriter
from PIL import Image

from tests.e2e.world import CLERK, S01_GROUP, World


def barcode_photo(*codes: str) -> bytes:
    """A JPEG with each EAN-13 code rendered side by side, like a shelf photo."""
    images = [barcode.get("ean13", code[:12], writer=ImageWriter()).render({"module_width": 0.4}) for code in codes]
    canvas = Image.new("RGB", (sum(i.width for i in images) + 40 * len(images), max(i.height for i in images) + 80), "white")
    x = 20
    for image in images:
        canvas.paste(image, (x, 40))
        x += image.width + 40
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=85)
    return out.getvalue()


async def send_and_wait(world: World, data: bytes, as_file: bool = False) -> dict:
    last = max((m["message_id"] for m in world.sandbox.messages(S01_GROUP)), default=0)
    if as_file:
        await world.sandbox.send_document(CLERK, S01_GROUP, data, "scan.jpg", "image/jpeg")
    else:
        await world.sandbox.send_photo(CLERK, S01_GROUP, data)
    return await world.sandbox.wait_for_bot_message(S01_GROUP, after_message_id=last, timeout=20)


async def test_a_barcode_photo_gets_the_product_card(world: World) -> None:
    reply = await send_and_wait(world, barcode_photo("6901234567892"))
    assert "可口可乐 330ml" in reply["text"] and "在库 10" in reply["text"]


async def test_an_image_sent_as_a_file_is_read_too(world: World) -> None:
    reply = await send_and_wait(world, barcode_photo("6901234567892"), as_file=True)
    assert "可口可乐 330ml" in reply["text"]


async def test_several_codes_in_one_photo_list_them_all(world: World) -> None:
    reply = await send_and_wait(world, barcode_photo("6901234567892", "4006381333931"))
    assert "可口可乐 330ml" in reply["text"] and "4006381333931" in reply["text"]


async def test_a_photo_without_a_barcode_suggests_a_better_photo(world: World) -> None:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 140, 160)).save(out, "JPEG")
    reply = await send_and_wait(world, out.getvalue())
    assert "没有找到条码" in reply["text"] and "/stock" in reply["text"]


async def test_a_file_that_is_not_an_image_gets_a_clear_message(world: World) -> None:
    last = max((m["message_id"] for m in world.sandbox.messages(S01_GROUP)), default=0)
    await world.sandbox.send_document(CLERK, S01_GROUP, b"%PDF-1.4 not an image", "report.pdf", "application/pdf")
    reply = await world.sandbox.wait_for_bot_message(S01_GROUP, after_message_id=last)
    assert "不是图片" in reply["text"]


async def test_in_an_open_count_a_photo_counts_the_product(world: World) -> None:
    await world.say(CLERK, S01_GROUP, "/count")
    reply = await send_and_wait(world, barcode_photo("6901234567892"))
    with world.uow(readonly=True) as unit:
        session = unit.counts.active_at("S01")
    assert session is not None and session.lines["COLA330"].counted == 1
    assert "COLA330" in reply["text"] or "可口可乐" in reply["text"]
