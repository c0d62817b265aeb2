"""The Telegram application: handlers wired in one place, menus set per role."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from adapters.templates import render
from bot.callbacks import CallbackSigner
from bot.context import BotContext, BotServices, attach_services
from bot.dedupe import drop_duplicate_updates
from bot.errors import on_error
from bot.handlers import admin, common, members, stock
from bot.routing import Router
from domain.staff import Permission, Role

log = logging.getLogger(__name__)


def build_application(
    token: str,
    services: BotServices,
    *,
    base_url: str,
    base_file_url: str,
    http: Callable[[int], BaseRequest] | None = None,
    webhook: bool = False,
    rate_limit: bool = True,
) -> Application:
    """The PTB application with every handler; the caller starts it (polling or webhook).

    `http(pool_size)` makes the Bot API client (PTB's own when None): one for calls, one for getUpdates.
    """
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(16)
        .post_init(_set_command_menus)
    )
    if http is not None:
        builder = builder.request(http(256)).get_updates_request(http(1))
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    attach_services(application, services)
    application.bot_data["signer"] = CallbackSigner(services.settings.callback_secret)
    router = Router()
    application.bot_data["router"] = router
    register_handlers(application, router)
    return application


def register_handlers(application: Application, router: Router) -> None:
    application.add_handler(TypeHandler(Update, drop_duplicate_updates), group=-1)
    for name, callback in {
        "start": members.start_command,
        "help": members.start_command,
        "lang": common.lang_command,
        "stock": stock.stock_command,
        "staff": admin.staff_command,
        "link": admin.link_command,
    }.items():
        application.add_handler(CommandHandler(name, callback))
    router.on_button("card", stock.on_card_button)
    _register_features(application, router)
    router.on_text(_code_interpreter)
    application.add_handler(CallbackQueryHandler(router.handle_button))
    application.add_handler(MessageHandler(filters.COMMAND, common.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, router.handle_text))
    application.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, common.unsupported_message))
    application.add_error_handler(on_error)


def _register_features(application: Application, router: Router) -> None:
    """Transfers, counts, photos and the rest register their commands, buttons and text here."""
    from bot.handlers import features

    features.register(application, router)


async def _code_interpreter(update, context, staff, text) -> bool:  # type: ignore[no-untyped-def]
    """A message that is just a barcode or a SKU gets the product card."""
    if not text or " " in text or len(text) > 64:
        return False
    matches = await context.services.lookup(lambda unit: unit.catalog.get(text) or unit.catalog.get(text.upper()))
    if matches is not None or text.isdigit():
        await stock.answer_query(update, context, staff, text)
        return True
    return False


async def _set_command_menus(application: Application) -> None:
    """Remember each chat's stored /lang; set menus per scope: everyone, store groups, each member of staff by role."""
    services: BotServices = application.bot_data["services"]
    services.languages.update(await services.read(lambda unit: unit.chat_settings.languages()))
    staff = await services.read(lambda unit: unit.staff.all())
    try:
        await application.bot.set_my_commands(
            _commands(["start", "points", "offers", "stop", "lang"]), scope=BotCommandScopeDefault()
        )
        await application.bot.set_my_commands(
            _commands(common.commands_for(frozenset({Permission.LOOKUP, Permission.REQUEST_TRANSFER, Permission.COUNT}))),
            scope=BotCommandScopeAllGroupChats(),
        )
        for person in staff:
            if person.active and person.role in (Role.MANAGER, Role.ADMIN, Role.STAFF):
                await application.bot.set_my_commands(
                    _commands(common.commands_for(person.permissions())), scope=BotCommandScopeChat(person.telegram_user_id)
                )
    except TelegramError as error:  # menus are a convenience; the bot works without them
        log.warning("could not set command menus: %s", error)


def _commands(names: list[str]) -> list[BotCommand]:
    return [BotCommand(name, render(f"bot/commands/{name}", "zh")[:256]) for name in names]
