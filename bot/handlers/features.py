"""Registration of the flows that build on lookup: each adds its commands, buttons and text."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import (
    alerts,
    campaigns,
    counts,
    members,
    outbox_admin,
    photos,
    replenishment,
    transfers,
    undo,
)
from bot.routing import Router


def register(application: Application, router: Router) -> None:
    """Order matters: members and campaigns first (a YAML campaign file is a document photos would
    refuse); for plain text an open count reads 'sku qty' lines before lookup does."""
    members.register(application, router)
    campaigns.register(application, router)
    counts.register(application, router)
    transfers.register(application, router)
    undo.register(application, router)
    photos.register(application, router)
    alerts.register(application, router)
    replenishment.register(application, router)
    outbox_admin.register(application, router)
