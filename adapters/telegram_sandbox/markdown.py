"""`parse_mode=MarkdownV2` (and legacy `Markdown`) into plain text plus entities, as Telegram does.

MarkdownV2 is where bots most often break in production: every reserved
character outside an entity must be escaped, so the sandbox refuses the same
texts Telegram refuses.
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError, bad_request

RESERVED = set("_*[]()~`>#+-=|{}.!")
_TOGGLES_V2 = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}
_TOGGLES_LEGACY = {"*": "bold", "_": "italic"}
_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


def _error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


class _Parser:
    def __init__(self, source: str, legacy: bool) -> None:
        self.source = source
        self.legacy = legacy
        self.toggles = _TOGGLES_LEGACY if legacy else _TOGGLES_V2
        self.i = 0
        self.out: list[str] = []
        self.position = 0  # UTF-16 units written so far
        self.open: list[tuple[str, int, int]] = []  # (kind, text position, source index)
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode())

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.position += len(text.encode("utf-16-le")) // 2

    def close(self, kind: str, start: int, **extra: Any) -> None:
        if self.position > start:
            self.entities.append({"type": kind, "offset": start, "length": self.position - start, **extra})

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        source = self.source
        while self.i < len(source):
            char = source[self.i]
            if (
                char == "\\"
                and self.i + 1 < len(source)
                and (not self.legacy or source[self.i + 1] in "_*`[")
            ):
                self.emit(source[self.i + 1])
                self.i += 2
            elif char == "`":
                self.code()
            elif char == "[":
                self.open.append(("text_link", self.position, self.i))
                self.i += 1
            elif char == "]" and any(kind == "text_link" for kind, _, _ in self.open):
                self.link_end()
            elif not self.legacy and char == ">" and (self.i == 0 or source[self.i - 1] == "\n"):
                self.quote()
            elif self.toggle():
                continue
            elif not self.legacy and char in RESERVED:
                raise _error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
            else:
                self.emit(char)
                self.i += 1
        if self.open:
            kind, _, index = self.open[-1]
            if self.legacy:
                raise _error(
                    f"Can't find end of the entity starting at byte offset {self.byte_offset(index)}"
                )
            raise _error(f"Can't find end of {_NAMES[kind]} entity at byte offset {self.byte_offset(index)}")
        return "".join(self.out), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))

    def toggle(self) -> bool:
        source = self.source
        marker = next(
            (m for m in ("__", "||", "*", "_", "~") if m in self.toggles and source.startswith(m, self.i)),
            None,
        )
        if marker is None:
            return False
        kind = self.toggles[marker]
        if self.open and self.open[-1][0] == kind:
            _, start, _ = self.open.pop()
            self.close(kind, start)
        elif self.legacy and self.open:
            raise _error(
                f"Can't find end of the entity starting at byte offset {self.byte_offset(self.open[-1][2])}"
            )
        else:
            self.open.append((kind, self.position, self.i))
        self.i += len(marker)
        return True

    def code(self) -> None:
        source = self.source
        fence = "```" if source.startswith("```", self.i) else "`"
        start_index = self.i
        self.i += len(fence)
        language = None
        if fence == "```":
            line_end = source.find("\n", self.i)
            header = source[self.i : line_end] if line_end >= 0 else ""
            if header and " " not in header and "`" not in header:
                language, self.i = header, line_end + 1
        start = self.position
        while not source.startswith(fence, self.i):
            if self.i >= len(source):
                raise _error(
                    f"Can't find end of the entity starting at byte offset {self.byte_offset(start_index)}"
                )
            if source[self.i] == "\\" and self.i + 1 < len(source) and source[self.i + 1] in "`\\":
                self.i += 1
            self.emit(source[self.i])
            self.i += 1
        self.i += len(fence)
        if fence == "```":
            self.close("pre", start, **({"language": language} if language else {}))
        else:
            self.close("code", start)

    def link_end(self) -> None:
        source = self.source
        if self.open[-1][0] != "text_link":
            kind, _, index = self.open[-1]
            raise _error(f"Can't find end of {_NAMES[kind]} entity at byte offset {self.byte_offset(index)}")
        _, start, index = self.open.pop()
        if not source.startswith("(", self.i + 1):
            raise _error(f"Can't find end of a URL at byte offset {self.byte_offset(self.i)}")
        end = source.find(")", self.i + 2)
        while end > 0 and source[end - 1] == "\\":
            end = source.find(")", end + 1)
        if end < 0:
            raise _error(f"Can't find end of a URL at byte offset {self.byte_offset(self.i)}")
        url = source[self.i + 2 : end].replace("\\)", ")").replace("\\\\", "\\")
        self.close("text_link", start, url=url)
        self.i = end + 1

    def quote(self) -> None:
        """Consecutive lines starting with '>' form one blockquote; their content is ordinary text."""
        start = self.position
        source = self.source
        while True:
            line_end = source.find("\n", self.i)
            line_end = len(source) if line_end < 0 else line_end
            text, inner = _Parser(source[self.i + 1 : line_end], self.legacy).parse()
            self.entities.extend({**e, "offset": e["offset"] + self.position} for e in inner)
            self.emit(text)
            self.i = line_end
            if not source.startswith("\n>", self.i):
                break
            self.emit("\n")
            self.i += 1
        self.close("blockquote", start)


def parse_markdown(source: str, legacy: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) for MarkdownV2 (or legacy Markdown) `source`, or raise a 400."""
    return _Parser(source, legacy).parse()
