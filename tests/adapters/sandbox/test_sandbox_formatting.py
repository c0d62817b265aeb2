"""HTML parse_mode becomes text plus entities, and malformed HTML is refused like Telegram does."""

from __future__ import annotations

import pytest

from adapters.telegram_sandbox.errors import ApiError
from adapters.telegram_sandbox.formatting import detect_entities, parse_html


def test_nested_tags_become_entities_with_offsets_in_utf16_units():
    text, entities = parse_html("库存 <b>低 <i>😀</i></b> &amp; ok")
    assert text == "库存 低 😀 & ok"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "italic", "offset": 5, "length": 2},
    ]


def test_links_pre_with_language_and_spoilers():
    text, entities = parse_html(
        '<a href="https://shop.example/p?a=1&amp;b=2">p</a> <pre><code class="language-python">x</code></pre>'
        ' <span class="tg-spoiler">s</span>'
    )
    assert text == "p x s"
    assert entities == [
        {"type": "text_link", "url": "https://shop.example/p?a=1&b=2", "offset": 0, "length": 1},
        {"type": "pre", "language": "python", "offset": 2, "length": 1},
        {"type": "spoiler", "offset": 4, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("1 < 2", "Unexpected end of name token at byte offset 2"),
    ],
)
def test_malformed_html_is_a_bad_request(source, reason):
    with pytest.raises(ApiError) as refused:
        parse_html(source)
    assert refused.value.status == 400
    assert refused.value.description == f"Bad Request: can't parse entities: {reason}"


def test_commands_and_mentions_in_user_text_are_detected():
    assert detect_entities("/stock@shop_assistant_bot 690 ask @manager_li") == [
        {"type": "bot_command", "offset": 0, "length": 25},
        {"type": "mention", "offset": 34, "length": 11},
    ]


def test_a_path_is_not_a_command():
    assert detect_entities("see a/b or /tmp/x") == []
