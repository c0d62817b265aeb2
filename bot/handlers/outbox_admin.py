"""/outbox for admins: notifications given up on, each with a Retry button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.callbacks import Button, CallbackSigner
from bot.context import BotContext
from bot.people import current_staff, explain
from bot.replies import keyboard, label, reply
from bot.routing import Router
from domain.errors import NotAllowed
from domain.staff import Permission, StaffMember
from notifications.outbox import dead_letters, retry_dead_letter

SHOWN = 10  # Telegram keyboards get unwieldy beyond this


def register(application: Application, router: Router) -> None:
    application.add_handler(CommandHandler("outbox", outbox_command))
    router.on_button("obr", on_retry)


async def outbox_command(update: Update, context: BotContext) -> None:
    """/outbox: the latest dead letters, newest first."""
    admin = await _admin(update, context)
    if admin is None:
        return
    letters = await context.services.read(lambda unit: dead_letters(unit, SHOWN))
    signer: CallbackSigner = context.bot_data["signer"]
    rows = [[(label(update, context, "alert_outbox_retry", id=letter.id), signer.pack("obr", letter.id))] for letter in letters]
    await reply(update, context, "alerts/outbox", letters=letters, buttons=keyboard(rows))


async def on_retry(update: Update, context: BotContext, button: Button) -> None:
    """Queue a dead letter again (once: a second press finds it no longer dead)."""
    admin = await _admin(update, context)
    if admin is None or not button.arg(0).isdigit():
        return
    outbox_id = int(button.arg(0))
    services = context.services
    revived = await services.write(lambda unit: retry_dead_letter(unit, outbox_id, admin.actor, services.clock()))
    await reply(update, context, "alerts/outbox_retried" if revived else "alerts/outbox_not_dead", id=outbox_id)


async def _admin(update: Update, context: BotContext) -> StaffMember | None:
    staff = await current_staff(update, context)
    if staff is None:
        return None
    if not staff.can(Permission.MANAGE_OUTBOX):
        await explain(update, context, NotAllowed(permission=Permission.MANAGE_OUTBOX.value, role=staff.role.value, location=""))
        return None
    return staff
