"""Twilio's request signature (X-Twilio-Signature), shared by our SMS webhook and the sandbox.

Twilio signs the full URL it calls followed by every POST parameter as
name+value, names in sorted order, with HMAC-SHA1 keyed by the auth token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def compute_twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The base64 X-Twilio-Signature Twilio sends for a POST of `params` to `url`."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_valid_twilio_signature(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Constant-time check of a received X-Twilio-Signature."""
    return hmac.compare_digest(compute_twilio_signature(auth_token, url, params), signature or "")
