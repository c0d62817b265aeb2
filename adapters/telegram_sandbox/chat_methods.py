"""getChat and chat membership, so the bot can check who is staff in a group."""

from __future__ import annotations

from typing import Any

from .call import Call
from .errors import bad_request
from .state import Chat, SandboxState

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def member_status(chat: Chat, user_id: int, bot_ids: set[int]) -> str:
    """creator / administrator / member / left, as Telegram names them."""
    if user_id == chat.owner_id:
        return "creator"
    if user_id in chat.admin_ids or (user_id in bot_ids and not chat.is_private):
        return "administrator"
    if user_id in chat.member_ids or user_id in bot_ids:
        return "member"
    return "left"


def chat_member_dict(state: SandboxState, chat: Chat, user: dict[str, Any]) -> dict[str, Any]:
    status = member_status(chat, user["id"], chat.bot_ids)
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False, **dict.fromkeys(_ADMIN_RIGHTS, True))
    return member


def _user_dict(state: SandboxState, user_id: int) -> dict[str, Any]:
    if user_id in state.people:
        return state.people[user_id].user_dict()
    bot = next((b for b in state.bots.values() if b.id == user_id), None)
    if bot is None:
        raise bad_request("user not found")
    return bot.user_dict()


async def get_chat(call: Call) -> dict[str, Any]:
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    return {
        **call.state.chat_dict(chat),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": _NO_GIFTS,
    }


async def get_chat_member(call: Call) -> dict[str, Any]:
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    user = _user_dict(call.state, call.params.integer("user_id") or 0)
    return chat_member_dict(call.state, chat, user)


async def get_chat_administrators(call: Call) -> list[dict[str, Any]]:
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    ids = [i for i in chat.member_ids if i == chat.owner_id or i in chat.admin_ids] + sorted(chat.bot_ids)
    return [chat_member_dict(call.state, chat, _user_dict(call.state, i)) for i in ids]


async def get_chat_member_count(call: Call) -> int:
    chat = call.state.chat_for_bot(call.bot, call.params.require("chat_id"))
    return len(chat.member_ids) + len(chat.bot_ids)
