"""/stock and product cards: the lookup staff do most."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import Button, CallbackSigner
from bot.context import BotContext
from bot.people import current_staff, explain, store_of_chat
from bot.replies import keyboard, label, reply
from domain.errors import DomainError
from domain.services.lookup import ProductMatches, StockCard, find_products, stock_card
from domain.staff import Permission, StaffMember

MAX_QUERY = 64


async def stock_command(update: Update, context: BotContext) -> None:
    """/stock <sku | barcode | name words>: the product card, or a choice when several match."""
    staff = await current_staff(update, context)
    if staff is None:
        return
    query = " ".join(context.args or [])[:MAX_QUERY].strip()
    if not query:
        await reply(update, context, "stock_usage")
        return
    await answer_query(update, context, staff, query)


async def answer_query(update: Update, context: BotContext, staff: StaffMember, query: str) -> None:
    services = context.services
    index = await services.search_index()
    here = await store_of_chat(update, context, staff)
    chain = await services.chain()

    def resolve(unit) -> tuple[ProductMatches, StockCard | None]:  # type: ignore[no-untyped-def]
        # One read for the usual case: the query names one product, so its card comes in the same transaction.
        matches = find_products(unit, index, query)
        if len(matches.products) != 1:
            return matches, None
        product = matches.products[0]
        return matches, stock_card(unit, product.sku, here, staff, chain, product)

    try:
        matches, card = await services.lookup(resolve)
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    if card is not None:
        await _reply_card(update, context, staff, here, card)
    elif not matches.products:
        await reply(update, context, "not_in_catalogue" if matches.via_barcode else "no_match", query=query)
    else:
        signer: CallbackSigner = context.bot_data["signer"]
        rows = [[(f"{p.name} ({p.sku})"[:60], signer.pack("card", p.sku))] for p in matches.products]
        await reply(update, context, "choose_product", query=query, count=len(matches.products), buttons=keyboard(rows))


async def send_card(update: Update, context: BotContext, staff: StaffMember, sku: str) -> None:
    here = await store_of_chat(update, context, staff)
    chain = await context.services.chain()
    try:
        card = await context.services.lookup(lambda unit: stock_card(unit, sku, here, staff, chain))
    except DomainError as refusal:
        await explain(update, context, refusal)
        return
    await _reply_card(update, context, staff, here, card)


async def _reply_card(update: Update, context: BotContext, staff: StaffMember, here: str | None, card: StockCard) -> None:
    signer: CallbackSigner = context.bot_data["signer"]
    buttons = None
    if here and staff.can(Permission.REQUEST_TRANSFER):
        buttons = keyboard([[(label(update, context, "request_transfer"), signer.pack("trq", card.product.sku))]])
    await reply(update, context, "stock_card", card=card, buttons=buttons)


async def on_card_button(update: Update, context: BotContext, button: Button) -> None:
    """A product chosen from a list of matches."""
    staff = await current_staff(update, context)
    if staff is not None:
        await send_card(update, context, staff, button.arg(0))
