"""An offline Telegram Bot API, chat page, SMS gateway and mail sink for tests and the demo.

Point python-telegram-bot at it with `base_url=f"{url}/bot"` and
`base_file_url=f"{url}/file/bot"`; drive people with `TelegramSandbox`.
"""

from .faults import RateLimits
from .routes import create_sandbox_app, setup_sandbox_routes
from .sandbox import TelegramSandbox

__all__ = ["RateLimits", "TelegramSandbox", "create_sandbox_app", "setup_sandbox_routes"]
