"""Turn `parse_mode=HTML` text into plain text plus MessageEntity dicts, as Telegram does.

Telegram refuses unbalanced or unknown tags with "can't parse entities"; a bot
that passes here but fails in production would defeat the sandbox, so the
checks are strict about structure and loose about everything else.
Offsets and lengths are in UTF-16 code units, like the real API.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .errors import ApiError, bad_request
from .markdown import parse_markdown

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*/?>")
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _parse_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def _entity_for(tag: str, attrs: str, byte_offset: int) -> dict[str, Any]:
    values = {
        m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(attrs)
    }
    if tag in _SIMPLE:
        kind = _SIMPLE[tag]
        if tag == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        entity: dict[str, Any] = {"type": kind}
        if tag == "code" and values.get("class", "").startswith("language-"):
            entity["language"] = values["class"].removeprefix("language-")
        return entity
    if tag == "span" and values.get("class") == "tg-spoiler":
        return {"type": "spoiler"}
    if tag == "a" and "href" in values:
        return {"type": "text_link", "url": html.unescape(values["href"])}
    if tag == "tg-emoji" and "emoji-id" in values:
        return {"type": "custom_emoji", "custom_emoji_id": values["emoji-id"]}
    raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {byte_offset}')


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) for HTML-formatted `source`, or raise a 400 ApiError."""
    text_parts: list[str] = []
    position = 0  # in UTF-16 units of the plain text built so far
    open_tags: list[tuple[str, dict[str, Any], int]] = []
    entities: list[dict[str, Any]] = []
    cursor = 0
    for match in _TAG.finditer(source):
        chunk = _plain_chunk(source, cursor, match.start())
        text_parts.append(chunk)
        position += utf16_len(chunk)
        cursor = match.end()
        closing, tag, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3) or ""
        byte_offset = len(source[: match.start()].encode())
        if not closing:
            open_tags.append((tag, _entity_for(tag, attrs, byte_offset), position))
            continue
        if not open_tags:
            raise _parse_error(f"Unexpected end tag at byte offset {byte_offset}")
        open_tag, entity, start = open_tags.pop()
        if open_tag != tag:
            raise _parse_error(
                f'Unmatched end tag at byte offset {byte_offset}, expected "</{open_tag}>", found "</{tag}>"'
            )
        if position > start:
            entities.append({**entity, "offset": start, "length": position - start})
    if open_tags:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    text_parts.append(_plain_chunk(source, cursor, len(source)))
    return "".join(text_parts), _merge_code_into_pre(entities)


def _plain_chunk(source: str, start: int, end: int) -> str:
    chunk = source[start:end]
    if "<" in chunk:
        where = len(source[: start + chunk.index("<")].encode())
        raise _parse_error(f"Unexpected end of name token at byte offset {where}")
    return html.unescape(chunk)


def _merge_code_into_pre(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`<pre><code class="language-x">` is one pre entity with a language, not two entities."""
    pres = {(e["offset"], e["length"]): e for e in entities if e["type"] == "pre"}
    merged = []
    for entity in entities:
        pre = pres.get((entity["offset"], entity["length"]))
        if entity["type"] == "code" and pre is not None:
            if "language" in entity:
                pre["language"] = entity["language"]
            continue
        merged.append(entity)
    return sorted(merged, key=lambda e: (e["offset"], -e["length"]))


def parse_formatted(source: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities for `source` under a Bot API parse_mode (None: as is)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(source)
    if mode in ("markdownv2", "markdown"):
        return parse_markdown(source, legacy=mode == "markdown")
    return source, []


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients attach to plain user text: bot commands and @mentions."""
    found = []
    for pattern, kind in ((_COMMAND, "bot_command"), (_MENTION, "mention")):
        for match in pattern.finditer(text):
            offset = utf16_len(text[: match.start()])
            found.append({"type": kind, "offset": offset, "length": utf16_len(match.group(0))})
    return sorted(found, key=lambda e: e["offset"])
