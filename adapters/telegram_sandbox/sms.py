"""A Twilio-compatible SMS stand-in: the Messages.json endpoint, signed status callbacks, inbound SMS."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import aiohttp
from aiohttp import web

from adapters.twilio_signature import compute_twilio_signature

from .faults import FaultPlan
from .state import InboxItem, SandboxState

log = logging.getLogger(__name__)

SMS_FAULT_KEY = "sms"  # inject_error("sms", status=500) / inject_delay("sms", 30) target this endpoint
API_VERSION = "2010-04-01"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass
class SmsAccount:
    account_sid: str
    auth_token: str
    number: str
    inbound_url: str | None


@dataclass
class CallbackRecord:
    """A status callback the sandbox posted, and what the receiver answered."""

    url: str
    params: dict[str, str]
    status: int | None


def twilio_error(status: int, code: int, message: str) -> web.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return web.json_response(body, status=status)


@dataclass
class SmsGateway:
    """Accepts outbound SMS like Twilio, files them in inboxes and reports delivery."""

    state: SandboxState
    faults: FaultPlan
    account: SmsAccount | None = None
    undeliverable: set[str] = field(default_factory=set)
    callbacks: list[CallbackRecord] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _session: aiohttp.ClientSession | None = None

    def configure(self, account_sid: str, auth_token: str, number: str, inbound_url: str | None) -> None:
        self.account = SmsAccount(account_sid, auth_token, number, inbound_url)

    async def handle_send(self, request: web.Request) -> web.Response:
        """POST /sms/2010-04-01/Accounts/{sid}/Messages.json"""
        fault = self.faults.take(SMS_FAULT_KEY)
        if fault is not None:
            await asyncio.sleep(fault.delay)
            if fault.status is not None:
                refusal = twilio_error(fault.status, 20000 + fault.status, "Injected failure")
                if fault.status == 429:
                    refusal.headers["Retry-After"] = str(fault.retry_after)
                return refusal
        account = self.account
        if account is None or not self._authorised(request, account):
            return twilio_error(401, 20003, "Authenticate")
        form = {key: str(value) for key, value in (await request.post()).items()}
        problem = _validate(form)
        if problem is not None:
            return problem
        sid = "SM" + secrets.token_hex(16)
        to, sender, body = form["To"], form.get("From", account.number), form["Body"]
        item = self.state.add_inbox_item(
            kind="sms",
            direction="in",
            address=to,
            sender=sender,
            recipient=to,
            body=body,
            status="queued",
            sid=sid,
        )
        if form.get("StatusCallback"):
            self._spawn(self._report_status(form["StatusCallback"], item))
        return web.json_response(_message_resource(account, sid, sender, to, body), status=201)

    @staticmethod
    def _authorised(request: web.Request, account: SmsAccount) -> bool:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            login, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return (
            scheme.lower() == "basic"
            and login == account.account_sid == request.match_info["sid"]
            and secrets.compare_digest(password.encode(), account.auth_token.encode())
        )

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report_status(self, url: str, item: InboxItem) -> None:
        sid, sender, to = item.sid, item.sender, item.recipient
        final = "undelivered" if to in self.undeliverable else "delivered"
        for status in ("sent", final):
            await asyncio.sleep(0.05)
            params = {
                "MessageSid": sid,
                "SmsSid": sid,
                "AccountSid": self.account.account_sid if self.account else "",
                "From": sender,
                "To": to,
                "MessageStatus": status,
                "SmsStatus": status,
                "ApiVersion": API_VERSION,
            }
            if status == "undelivered":
                params["ErrorCode"] = "30003"
            item.status = status
            self.state.changed.fire()
            self.callbacks.append(CallbackRecord(url, params, await self._post_signed(url, params)))

    async def _post_signed(self, url: str, params: dict[str, str]) -> int | None:
        assert self.account is not None
        headers = {"X-Twilio-Signature": compute_twilio_signature(self.account.auth_token, url, params)}
        if self._session is None:  # one session: a provider keeps its connections to us alive
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        try:
            async with self._session.post(url, data=params, headers=headers) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("sandbox SMS post to %s failed: %s", url, exc)
            return None

    async def reply(self, from_phone: str, body: str) -> int:
        """A person texts our number; post it, signed, to the inbound webhook and return its status."""
        account = self.account
        if account is None or not account.inbound_url:
            raise RuntimeError("configure_sms(..., inbound_url=...) first")
        sid = "SM" + secrets.token_hex(16)
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": account.account_sid,
            "From": from_phone,
            "To": account.number,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "ApiVersion": API_VERSION,
        }
        self.state.add_inbox_item(
            kind="sms",
            direction="out",
            address=from_phone,
            sender=from_phone,
            recipient=account.number,
            body=body,
            status="received",
            sid=sid,
        )
        status = await self._post_signed(account.inbound_url, params)
        if status is None:
            raise ConnectionError(f"inbound SMS webhook {account.inbound_url} unreachable")
        return status

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None


def _validate(form: dict[str, str]) -> web.Response | None:
    if not form.get("To"):
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not _E164.match(form["To"]):
        return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {form['To']}")
    if not form.get("Body"):
        return twilio_error(400, 21602, "Message body is required.")
    if len(form["Body"]) > 1600:
        return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    return None


def _message_resource(account: SmsAccount, sid: str, sender: str, to: str, body: str) -> dict[str, Any]:
    now = format_datetime(datetime.now(UTC))
    return {
        "sid": sid,
        "account_sid": account.account_sid,
        "to": to,
        "from": sender,
        "body": body,
        "status": "queued",
        "direction": "outbound-api",
        "num_segments": str(1 + len(body) // 160),
        "num_media": "0",
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "messaging_service_sid": None,
        "api_version": API_VERSION,
        "uri": f"/{API_VERSION}/Accounts/{account.account_sid}/Messages/{sid}.json",
        "subresource_uris": {
            "media": f"/{API_VERSION}/Accounts/{account.account_sid}/Messages/{sid}/Media.json"
        },
    }
