"""Every setting, read once from the environment and an optional `.env`."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path("data")
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: str = Field("development", description="development | production")
    database_url: str = Field(f"sqlite:///{DATA_DIR / 'retail.db'}", description="SQLAlchemy URL")
    tz_name: str = "Asia/Shanghai"

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    api_token: str = Field("dev-api-token", description="Bearer token for POST /api/receipts")

    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    telegram_mode: str = "polling"
    webhook_url: str = ""
    webhook_secret: str = ""
    callback_secret: str = Field("", description="HMAC key for inline-button data; derived from the token when empty")

    count_variance_percent: float = 10.0
    count_variance_value: float = 200.0
    count_asks_quantity: bool = False
    undo_window_minutes: int = 5

    digest_time: str = "08:30"
    digest_days: str = "mon-sun"
    low_stock_sweep_minutes: int = 15
    days_of_cover_alert: float = 3.0
    alert_sales_window_days: int = 28
    fast_mover_share: float = 0.2
    alert_snooze_hours: int = 24
    scheduler_misfire_grace_minutes: int = 240
    scheduler_standby_poll_seconds: float = 5.0

    public_base_url: str = Field("", description="how SMS providers and mail readers reach our HTTP server")
    sms_api_url: str = ""
    sms_account_sid: str = ""
    sms_auth_token: str = ""
    sms_from: str = ""
    sms_status_callback_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_from: str = ""
    sms_per_second: float = 10.0
    email_per_second: float = 20.0
    telegram_per_second: float = 30.0
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(9, 0)
    outbox_max_attempts: int = 8
    unsubscribe_secret: str = "dev-unsubscribe-secret"
    promotion_cap_messages: int = 2
    promotion_cap_days: int = 7

    coupon_secret: str = "dev-coupon-secret"
    points_per_yuan: float = 1.0
    points_valid_days: int = 365
    segments_time: str = "02:30"
    replenish_time: str = "01:30"
    replenish_min_transfer_value: float = 50.0
    replenish_service_levels: dict[str, float] = {"A": 0.98, "B": 0.97, "C": 0.97}
    replenish_central_stock_days: float = 28.0
    purchase_order_lang: str = "zh"
    campaign_results_time: str = "09:00"

    @field_validator("telegram_mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        if value not in ("polling", "webhook"):
            raise ValueError("TELEGRAM_MODE must be polling or webhook")
        return value

    @field_validator("replenish_service_levels")
    @classmethod
    def _service_level_per_class(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != {"A", "B", "C"} or not all(0.5 <= level < 1 for level in value.values()):
            raise ValueError('REPLENISH_SERVICE_LEVELS needs A, B and C between 0.5 and 1, e.g. {"A":0.98,"B":0.97,"C":0.97}')
        return value

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> Settings:
        if self.environment == "production":
            if self.api_token in PLACEHOLDER_SECRETS or self.api_token == "dev-api-token":
                raise ValueError("set API_TOKEN to a real secret in production")
            if self.telegram_mode == "webhook" and self.webhook_secret in PLACEHOLDER_SECRETS:
                raise ValueError("set WEBHOOK_SECRET in production webhook mode")
            for name in ("coupon_secret", "unsubscribe_secret"):
                if getattr(self, name) in PLACEHOLDER_SECRETS or getattr(self, name).startswith("dev-"):
                    raise ValueError(f"set {name.upper()} to a real secret in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
