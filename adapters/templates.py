"""One way to turn a template name, a language and facts into user-visible text.

Templates live in `templates/<area>/<name>.<lang>.j2`; `lang` is `zh` or `en`.
StrictUndefined makes a missing fact an error in tests, not a blank in a
message a customer reads.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def normalise_language(code: str | None) -> str:
    """Map a Telegram language_code ('zh-hans', 'en-US', None) to one we render."""
    if not code:
        return DEFAULT_LANGUAGE
    prefix = code.lower().split("-")[0].split("_")[0]
    return prefix if prefix in LANGUAGES else "en"


@lru_cache(maxsize=4)
def environment(autoescape_html: bool = False) -> Environment:
    """Telegram HTML and email HTML are escaped; SMS and plain text are not."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=autoescape_html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Templates ship with the code: checking each file's mtime on every message cost a stat per render.
        auto_reload=False,
        cache_size=2000,  # every template stays compiled (there are a few hundred)
    )
    env.filters["qty"] = format_quantity
    env.filters["money"] = format_money
    return env


def render(name: str, lang: str, /, *, html: bool = False, **facts: object) -> str:
    """Render `templates/<name>.<lang>.j2` (HTML-escaped when `html`)."""
    lang = normalise_language(lang)
    return environment(html).get_template(f"{name}.{lang}.j2").render(lang=lang, **facts).strip()


def format_quantity(value: float | int) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.2f}".rstrip("0").rstrip(".")


def format_money(value: float | int) -> str:
    return f"{float(value):,.2f}"
