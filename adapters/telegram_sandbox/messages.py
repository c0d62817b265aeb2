"""Building Message objects, shared by bot sends and people's actions."""

from __future__ import annotations

import io
import mimetypes
import time
from typing import Any

from PIL import Image, UnidentifiedImageError

from .errors import bad_request
from .params import Upload
from .state import Chat, SandboxState, StoredFile

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def post_message(
    state: SandboxState,
    chat: Chat,
    sender: dict[str, Any],
    content: dict[str, Any],
    reply_to: dict[str, Any] | None,
) -> dict[str, Any]:
    """Append a message from `sender` to `chat` and return it as Bot API JSON."""
    message: dict[str, Any] = {
        "message_id": chat.take_message_id(),
        "from": sender,
        "chat": state.chat_dict(chat),
        "date": int(time.time()),
        **content,
    }
    if reply_to is not None:
        message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
    chat.messages[message["message_id"]] = message
    state.touch(chat)
    return message


def reply_target(chat: Chat, message_id: int | None, allow_missing: bool = False) -> dict[str, Any] | None:
    """The message being replied to, or Telegram's 400 when it does not exist."""
    if message_id is None:
        return None
    target = chat.messages.get(message_id)
    if target is None and not allow_missing:
        raise bad_request("message to be replied not found")
    return target


def check_inline_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    """Validate an InlineKeyboardMarkup the way Telegram rejects bad buttons."""
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text is not specified")
        if not any(action in button for action in _BUTTON_ACTIONS):
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    return markup


def store_photo(state: SandboxState, upload: Upload) -> StoredFile:
    """Keep an uploaded picture, refusing bytes that are no image like Telegram does."""
    try:
        with Image.open(io.BytesIO(upload.data)) as image:
            width, height = image.size
            image_format = (image.format or "jpeg").lower()
    except (UnidentifiedImageError, OSError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    extension = ".jpg" if image_format == "jpeg" else f".{image_format}"
    return state.store_file(
        upload.data, "photos", extension, f"image/{image_format}", width=width, height=height
    )


def store_document(state: SandboxState, upload: Upload) -> StoredFile:
    """Keep an uploaded document with its name and type."""
    mime_type = upload.content_type or mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
    extension = mimetypes.guess_extension(mime_type) or ""
    if "." in upload.filename:
        extension = "." + upload.filename.rsplit(".", 1)[1]
    return state.store_file(upload.data, "documents", extension, mime_type, file_name=upload.filename)


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    """The `photo` array of a Message; one size, as the sandbox makes no thumbnails."""
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width or 0,
            "height": stored.height or 0,
            "file_size": len(stored.data),
        }
    ]


def document_dict(stored: StoredFile) -> dict[str, Any]:
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "mime_type": stored.mime_type,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    return document
