"""Registration of the flows that build on lookup: each adds its commands, buttons and text."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import alerts, counts, outbox_admin, photos, transfers, undo
from bot.routing import Router


def register(application: Application, router: Router) -> None:
    """Order matters for plain text: an open count reads 'sku qty' lines before lookup does."""
    counts.register(application, router)
    transfers.register(application, router)
    undo.register(application, router)
    photos.register(application, router)
    alerts.register(application, router)
    outbox_admin.register(application, router)
