"""(being built) transfers flow."""

from __future__ import annotations

from telegram.ext import Application

from bot.routing import Router


def register(application: Application, router: Router) -> None:
    """Adds the transfers commands, buttons and text interpreters."""
