"""Bot command lists per scope and language, and which list a person in a chat would see."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .state import BotAccount, Chat

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def scope_key(scope: dict[str, Any] | None) -> str:
    """A canonical text for a BotCommandScope so equal scopes compare equal."""
    scope = scope or {"type": "default"}
    normalised = {k: (int(v) if k in ("chat_id", "user_id") else v) for k, v in scope.items()}
    return json.dumps(normalised, sort_keys=True)


def check_commands(commands: Any) -> list[dict[str, str]]:
    """Validate setMyCommands' list the way Telegram does."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 BotCommand")
    checked = []
    for command in commands:
        name, description = str(command.get("command", "")), str(command.get("description", ""))
        if not _COMMAND_NAME.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request(
                "command description is empty" if not description else "command description is too long"
            )
        checked.append({"command": name, "description": description})
    return checked


def visible_commands(
    bot: BotAccount, chat: Chat, user_id: int, language_code: str | None
) -> list[dict[str, str]]:
    """The command menu a client shows: the narrowest scope with commands, language first."""
    is_admin = user_id in chat.admin_ids or user_id == chat.owner_id
    scopes: list[dict[str, Any]] = []
    if not chat.is_private:
        scopes.append({"type": "chat_member", "chat_id": chat.id, "user_id": user_id})
        if is_admin:
            scopes.append({"type": "chat_administrators", "chat_id": chat.id})
    scopes.append({"type": "chat", "chat_id": chat.id})
    if chat.is_private:
        scopes.append({"type": "all_private_chats"})
    else:
        if is_admin:
            scopes.append({"type": "all_chat_administrators"})
        scopes.append({"type": "all_group_chats"})
    scopes.append({"type": "default"})
    language = (language_code or "").split("-")[0]
    for scope in scopes:
        for lang in (language_code or "", language, ""):
            commands = bot.commands.get((scope_key(scope), lang))
            if commands:
                return commands
    return []
