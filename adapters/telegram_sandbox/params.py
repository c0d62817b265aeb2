"""Read Bot API parameters from query strings, urlencoded or multipart forms and JSON bodies.

PTB sends every non-string value JSON-encoded inside form fields (`"123"`,
`"true"`, `'{"inline_keyboard": ...}'`), strings raw, and files as multipart
parts referenced either by the parameter's own name or by `attach://<part>`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .errors import bad_request


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Params:
    """Typed access to one request's parameters, whatever the encoding."""

    values: dict[str, Any] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        return default if value is None else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def structure(self, name: str) -> Any:
        """A JSON-shaped parameter (reply_markup, scope, commands, entities...), decoded."""
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def require(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        return value

    def file(self, name: str) -> Upload | str | None:
        """The upload for `name` (direct part or attach:// reference), else its file_id string."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            part = self.uploads.get(value.removeprefix("attach://"))
            if part is None:
                raise bad_request(f"file attach://{value} not found in the request")
            return part
        return value


async def read_params(request: web.Request) -> Params:
    """Collect query, form, multipart and JSON parameters of a Bot API request."""
    params = Params(values=dict(request.query))
    content_type = request.content_type
    if request.method != "POST" or not request.can_read_body:
        return params
    if content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        params.values.update(body)
    elif content_type == "multipart/form-data":
        await _read_multipart(request, params)
    else:
        form = await request.post()
        params.values.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


async def _read_multipart(request: web.Request, params: Params) -> None:
    # Streaming the parts avoids aiohttp's client_max_size, which a shared app may keep small.
    reader = await request.multipart()
    async for part in reader:
        if part.name is None:
            continue
        if part.filename is not None:
            data = await part.read(decode=True)
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            params.uploads[part.name] = Upload(part.filename, content_type, bytes(data))
        else:
            params.values[part.name] = await part.text()
