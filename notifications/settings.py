"""What delivery needs to know: where the gateways are, how fast they may go, when members are left alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    sms_api_url: str = ""  # Twilio-compatible base, e.g. https://api.twilio.com or the sandbox's {url}/sms
    sms_account_sid: str = ""
    sms_auth_token: str = ""
    sms_from: str = ""
    sms_status_callback_url: str = ""  # empty: PUBLIC_BASE_URL + /notifications/sms/status
    public_base_url: str = ""  # how providers and mail readers reach our HTTP server
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
    tz_name: str = "Asia/Shanghai"
    outbox_max_attempts: int = 8
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 1800.0
    sending_lease_seconds: float = 300.0  # a claim older than this belonged to a dispatcher that died
    promotion_cap_messages: int = 2
    promotion_cap_days: int = 7
    unsubscribe_secret: str = ""

    @property
    def status_callback_url(self) -> str:
        if self.sms_status_callback_url:
            return self.sms_status_callback_url
        return f"{self.public_base_url.rstrip('/')}/notifications/sms/status" if self.public_base_url else ""

    @property
    def sms_configured(self) -> bool:
        return bool(self.sms_api_url and self.sms_account_sid and self.sms_auth_token and self.sms_from)

    @property
    def email_configured(self) -> bool:
        return bool(self.smtp_host and self.mail_from)
