"""Barcode photos: a product card for one code, a list for several, counted units in an open count."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from adapters.barcode import DecodedCode, ScanResult, ScanStatus
from bot.callbacks import CallbackSigner
from bot.context import BotContext
from bot.handlers import counts
from bot.handlers.stock import send_card
from bot.people import current_staff, store_of_chat
from bot.replies import keyboard, reply
from bot.routing import Router
from domain.catalog import Product
from domain.staff import StaffMember

log = logging.getLogger(__name__)
MAX_IMAGE_BYTES = 20 * 1024 * 1024


async def on_image(update: Update, context: BotContext) -> None:
    """A photo, or an image sent as a file: read every barcode in it and act on it."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    message = update.effective_message
    attachment = message.photo[-1] if message.photo else message.document
    if attachment is None:
        return
    if (attachment.file_size or 0) > MAX_IMAGE_BYTES:
        await reply(update, context, "photos/too_large", limit_mb=MAX_IMAGE_BYTES // (1024 * 1024))
        return
    reader = context.services.barcode_reader
    if reader is None:
        await reply(update, context, "photos/disabled")
        return
    data = bytes(await (await attachment.get_file()).download_as_bytearray())
    result: ScanResult = await reader.read(data)
    if result.status is not ScanStatus.OK:
        await reply(update, context, f"photos/{result.status.value}", limit_mb=MAX_IMAGE_BYTES // (1024 * 1024))
        return
    await act_on_codes(update, context, staff, result.codes)


async def act_on_codes(update: Update, context: BotContext, staff: StaffMember, codes: list[DecodedCode]) -> None:
    keys = [code.key for code in codes if code.key]
    found: dict[str, tuple[Product, int]] = await context.services.read(
        lambda unit: {key: hit for key in keys for hit in unit.catalog.by_barcode_keys([key])[:1]}
    )
    unknown = [code for code in codes if not code.key or code.key not in found]
    products = _unique([found[key] for key in keys if key in found])
    here = await store_of_chat(update, context, staff)
    if products and here and await _count_if_counting(update, context, staff, here, products):
        if unknown:
            await reply(update, context, "photos/unknown_codes", codes=unknown)
        return
    if len(products) == 1 and not unknown:
        await send_card(update, context, staff, products[0][0].sku)
        return
    if not products:
        await reply(update, context, "photos/unknown_codes", codes=unknown)
        return
    signer: CallbackSigner = context.bot_data["signer"]
    rows = [[(f"{p.name} ({p.sku})"[:60], signer.pack("card", p.sku))] for p, _ in products]
    await reply(update, context, "photos/several", products=[p for p, _ in products], codes=unknown, buttons=keyboard(rows))


async def _count_if_counting(
    update: Update, context: BotContext, staff: StaffMember, here: str, products: list[tuple[Product, int]]
) -> bool:
    """In an open count at this store, each decoded product counts (a carton its pack)."""
    return await counts.count_scanned(update, context, staff, here, [(p.sku, units) for p, units in products])


def _unique(hits: list[tuple[Product, int]]) -> list[tuple[Product, int]]:
    seen: dict[tuple[str, int], tuple[Product, int]] = {}
    for product, units in hits:
        seen.setdefault((product.sku, units), (product, units))
    return list(seen.values())


async def on_other_file(update: Update, context: BotContext) -> None:
    """A file that is not an image."""
    if await current_staff(update, context) is not None:
        await reply(update, context, "photos/not_an_image")


def register(application: Application, router: Router) -> None:
    application.add_handler(MessageHandler(filters.PHOTO | filters.Document.IMAGE, on_image))
    application.add_handler(MessageHandler(filters.Document.ALL, on_other_file))
