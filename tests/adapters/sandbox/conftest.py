"""Fixtures: a populated sandbox served on a random loopback port, and a PTB Bot pointed at it."""

from tests.adapters.sandbox.sandbox_world import bot, sandbox, sandbox_url

__all__ = ["bot", "sandbox", "sandbox_url"]
