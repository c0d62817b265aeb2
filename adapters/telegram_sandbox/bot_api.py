"""The Bot API methods the assistant uses, answering like api.telegram.org does."""

from __future__ import annotations

from typing import Any

from . import chat_methods, sending
from .call import Call, Handler
from .commands import check_commands, scope_key
from .errors import WEBHOOK_CONFLICT, bad_request
from .params import Params
from .updates import Webhook

# --- updates and webhooks ---------------------------------------------------------------------


async def get_me(call: Call) -> dict[str, Any]:
    return call.bot.me()


async def get_updates(call: Call) -> list[dict[str, Any]]:
    queue = call.bot.updates
    if queue.webhook is not None:
        raise WEBHOOK_CONFLICT
    allowed = call.params.structure("allowed_updates")
    if allowed is not None:
        queue.allowed_updates = list(allowed) or None
    p = call.params
    return await queue.take(p.integer("offset"), p.integer("limit", 100) or 100, p.number("timeout", 0.0))


async def set_webhook(call: Call) -> bool:
    p = call.params
    url = p.text("url", "") or ""
    secret = p.text("secret_token")
    if secret is not None and not (0 < len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)):
        raise bad_request("secret token contains unallowed characters")
    allowed = p.structure("allowed_updates")
    if allowed is not None:
        call.bot.updates.allowed_updates = list(allowed) or None
    webhook = Webhook(url, secret, p.integer("max_connections", 40) or 40) if url else None
    call.bot.updates.set_webhook(webhook, drop_pending=p.flag("drop_pending_updates"))
    return True


async def delete_webhook(call: Call) -> bool:
    call.bot.updates.set_webhook(None, drop_pending=call.params.flag("drop_pending_updates"))
    return True


async def get_webhook_info(call: Call) -> dict[str, Any]:
    queue = call.bot.updates
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(queue.pending),
    }
    if queue.webhook is not None:
        hook = queue.webhook
        info.update(url=hook.url, max_connections=hook.max_connections)
        if hook.last_error_date:
            info.update(last_error_date=hook.last_error_date, last_error_message=hook.last_error_message)
        if queue.allowed_updates:
            info["allowed_updates"] = queue.allowed_updates
    return info


# --- callbacks, files, commands -------------------------------------------------------------------


async def answer_callback_query(call: Call) -> bool:
    query = call.state.callbacks.get(call.params.text("callback_query_id", "") or "")
    if query is None or query.bot_id != call.bot.id or query.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    p = call.params
    query.answer = {
        "text": p.text("text"),
        "show_alert": p.flag("show_alert"),
        "url": p.text("url"),
        "cache_time": p.integer("cache_time", 0),
    }
    call.state.changed.fire()
    return True


async def get_file(call: Call) -> dict[str, Any]:
    stored = call.state.files.get(call.params.text("file_id", "") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


def _commands_key(p: Params) -> tuple[str, str]:
    return scope_key(p.structure("scope")), p.text("language_code", "") or ""


async def set_my_commands(call: Call) -> bool:
    call.bot.commands[_commands_key(call.params)] = check_commands(call.params.structure("commands"))
    return True


async def get_my_commands(call: Call) -> list[dict[str, str]]:
    return call.bot.commands.get(_commands_key(call.params), [])


async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_commands_key(call.params), None)
    return True


async def accept(call: Call) -> bool:
    """Settings the sandbox takes note of only by saying yes (descriptions, names)."""
    return True


async def set_chat_menu_button(call: Call) -> bool:
    call.bot.menu_button = call.params.structure("menu_button") or {"type": "default"}
    return True


async def get_chat_menu_button(call: Call) -> dict[str, Any]:
    return call.bot.menu_button or {"type": "commands"}


METHODS: dict[str, Handler] = {
    "getme": get_me,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "sendmessage": sending.send_message,
    "sendphoto": sending.send_photo,
    "senddocument": sending.send_document,
    "sendchataction": sending.send_chat_action,
    "editmessagetext": sending.edit_message_text,
    "editmessagecaption": sending.edit_message_caption,
    "editmessagereplymarkup": sending.edit_message_reply_markup,
    "deletemessage": sending.delete_message,
    "pinchatmessage": sending.pin_chat_message,
    "unpinchatmessage": sending.unpin_chat_message,
    "answercallbackquery": answer_callback_query,
    "getfile": get_file,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "setchatmenubutton": set_chat_menu_button,
    "getchatmenubutton": get_chat_menu_button,
    "setmydescription": accept,
    "setmyshortdescription": accept,
    "setmyname": accept,
    "logout": accept,
    "close": accept,
    "getchat": chat_methods.get_chat,
    "getchatmember": chat_methods.get_chat_member,
    "getchatadministrators": chat_methods.get_chat_administrators,
    "getchatmembercount": chat_methods.get_chat_member_count,
}


def find_method(name: str) -> Handler | None:
    """Telegram matches method names case-insensitively."""
    return METHODS.get(name.lower())
