"""(being built) counts flow."""

from __future__ import annotations

from telegram.ext import Application

from bot.routing import Router


def register(application: Application, router: Router) -> None:
    """Adds the counts commands, buttons and text interpreters."""
