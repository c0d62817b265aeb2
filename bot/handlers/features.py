"""Registration of the flows that build on lookup: each adds its commands, buttons and text."""

from __future__ import annotations

from telegram.ext import Application

from bot.routing import Router


def register(application: Application, router: Router) -> None:
    """Transfers, counts and photo scanning plug in here."""
