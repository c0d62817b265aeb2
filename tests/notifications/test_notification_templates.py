"""Every notification template renders in both languages with its event's sample facts (StrictUndefined:
a fact the template needs but the sample lacks fails here, not in a customer's inbox).

Each event folder under templates/notifications/ keeps `sample.json`: one object of facts, or a list of
them for events whose templates branch. Email templates also get what the email gateway adds itself.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from adapters.gateways.sms import sms_segments
from adapters.templates import LANGUAGES, TEMPLATES_DIR, render

NOTIFICATIONS = TEMPLATES_DIR / "notifications"
EVENTS = sorted(
    p for p in NOTIFICATIONS.iterdir() if p.is_dir() and p.name != "buttons" and any(p.glob("*.j2"))
)
GATEWAY_FACTS = [
    {"image_cid": None, "unsubscribe_url": None},
    {"image_cid": "chart", "unsubscribe_url": "https://x/u/t"},
]
TELEGRAM_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "blockquote",
    "tg-emoji",
}
HTML_KINDS = ("telegram", "email_html")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.seen.add(tag)


def samples(folder: Path) -> list[dict]:
    path = folder / "sample.json"
    assert path.exists(), f"{path.relative_to(TEMPLATES_DIR)} is missing: add sample facts for this event"
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, list) else [loaded]


def kinds(folder: Path) -> set[str]:
    return {p.name.split(".")[0] for p in folder.glob("*.j2")}


@pytest.mark.parametrize("folder", EVENTS, ids=lambda p: p.name)
def test_every_template_of_the_event_renders_in_both_languages_with_its_sample_facts(folder: Path):
    for kind in sorted(kinds(folder)):
        extra = GATEWAY_FACTS if kind.startswith("email") else [{}]
        for facts in samples(folder):
            for added in extra:
                for lang in LANGUAGES:
                    html = kind in HTML_KINDS or folder.name == "pages"
                    text = render(
                        f"notifications/{folder.name}/{kind}", lang, html=html, **{**facts, **added}
                    )
                    assert text.strip(), f"{folder.name}/{kind}.{lang} rendered empty"


@pytest.mark.parametrize("folder", [f for f in EVENTS if "telegram" in kinds(f)], ids=lambda p: p.name)
def test_telegram_text_uses_only_tags_telegram_accepts_and_escapes_the_facts(folder: Path):
    for facts in samples(folder):
        for lang in LANGUAGES:
            parser = Tags()
            parser.feed(render(f"notifications/{folder.name}/telegram", lang, html=True, **facts))
            assert parser.seen <= TELEGRAM_TAGS, (
                f"{folder.name}: Telegram rejects {parser.seen - TELEGRAM_TAGS}"
            )


def test_a_fact_with_markup_in_it_is_shown_not_obeyed():
    facts = samples(NOTIFICATIONS / "promotion")[0] | {"member_name": "<b>Li</b> & <Lei>"}
    text = render("notifications/promotion/telegram", "en", html=True, **facts)
    assert "&lt;b&gt;Li&lt;/b&gt; &amp; &lt;Lei&gt;" in text


@pytest.mark.parametrize("folder", [f for f in EVENTS if "sms" in kinds(f)], ids=lambda p: p.name)
def test_sms_texts_stay_short(folder: Path):
    for facts in samples(folder):
        for lang in LANGUAGES:
            text = render(f"notifications/{folder.name}/sms", lang, **facts)
            assert sms_segments(text) <= 2, (
                f"{folder.name}/sms.{lang} needs {sms_segments(text)} parts: {text}"
            )


@pytest.mark.parametrize("template", sorted((NOTIFICATIONS / "buttons").glob("*.j2")), ids=lambda p: p.name)
def test_every_button_label_renders(template: Path):
    name, lang = template.name.split(".")[:2]
    assert render(f"notifications/buttons/{name}", lang).strip()
