"""MarkdownV2 (and legacy Markdown) become text plus entities; unescaped reserved characters are refused."""

from __future__ import annotations

import pytest
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.helpers import escape_markdown

from adapters.telegram_sandbox.errors import ApiError
from adapters.telegram_sandbox.markdown import parse_markdown
from tests.adapters.sandbox.sandbox_world import ALICE


def test_nested_styles_links_and_code():
    text, entities = parse_markdown(
        r"*bold _italic_* __under__ ~gone~ ||hush|| [site](https://x.example/a\)b) `a\`b`"
    )
    assert text == "bold italic under gone hush site a`b"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "italic", "offset": 5, "length": 6},
        {"type": "underline", "offset": 12, "length": 5},
        {"type": "strikethrough", "offset": 18, "length": 4},
        {"type": "spoiler", "offset": 23, "length": 4},
        {"type": "text_link", "offset": 28, "length": 4, "url": "https://x.example/a)b"},
        {"type": "code", "offset": 33, "length": 3},
    ]


def test_pre_block_with_language_and_a_quote():
    text, entities = parse_markdown("```python\nprint(1)\n```\n>quoted *line*\n>second")
    assert text == "print(1)\n\nquoted line\nsecond"
    assert {"type": "pre", "offset": 0, "length": 9, "language": "python"} in entities
    assert {"type": "blockquote", "offset": 10, "length": 18} in entities
    assert {"type": "bold", "offset": 17, "length": 4} in entities


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("Stock: 3.5 kg", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("-20% off!", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("*never closed", "Can't find end of Bold entity at byte offset 0"),
        ("a `code", "Can't find end of the entity starting at byte offset 2"),
    ],
)
def test_what_telegram_refuses_is_refused(source, reason):
    with pytest.raises(ApiError) as refused:
        parse_markdown(source)
    assert refused.value.description == f"Bad Request: can't parse entities: {reason}"


def test_text_escaped_by_ptbs_helper_comes_back_unchanged():
    raw = "SKU 6901234567892 (milk 2L) - 20% off! [store #1] a_b*c"
    assert parse_markdown(escape_markdown(raw, version=2)) == (raw, [])


def test_legacy_markdown_needs_no_escaping_of_punctuation():
    assert parse_markdown("Stock: *3.5* kg - ok!", legacy=True) == (
        "Stock: 3.5 kg - ok!",
        [{"type": "bold", "offset": 7, "length": 3}],
    )


async def test_a_bot_sending_unescaped_markdown_v2_gets_a_bad_request(bot):
    with pytest.raises(BadRequest, match="(?i)character '!' is reserved"):
        await bot.send_message(ALICE, "Low stock!", parse_mode=ParseMode.MARKDOWN_V2)
    sent = await bot.send_message(ALICE, r"*Low* stock\!", parse_mode=ParseMode.MARKDOWN_V2)
    assert (sent.text, sent.entities[0].type) == ("Low stock!", "bold")
