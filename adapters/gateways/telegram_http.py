"""The HTTP client for the Bot API: PTB's request interface over aiohttp.

PTB's default client (httpx) spent more CPU per Bot API call than the bot
spent answering a /stock: every reply is one call, and its pool checked
every idle connection on each request. aiohttp, already a dependency (the
webhook server, the sandbox), does the same work with its C parser. PTB
documents BaseRequest as the place to plug in another HTTP library; the
calls, parameters and errors the bot sees are unchanged.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB passes this sentinel for "no timeout given here"; its class lives in a private module.
DefaultValue = type(BaseRequest.DEFAULT_NONE)

# PTB's own defaults for the client it builds (ApplicationBuilder): seconds, and connections.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
POOL_SIZE = 256


class AiohttpRequest(BaseRequest):
    """Bot API requests through one aiohttp session (opened by initialize, closed by shutdown).

    aiohttp has no write timeout: a request's upload is bounded by the read
    timeout of its answer instead.
    """

    def __init__(
        self,
        connection_pool_size: int = POOL_SIZE,
        read_timeout: float | None = READ_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error

    def _timeout(
        self,
        read: float | None | DefaultValue,
        connect: float | None | DefaultValue,
        pool: float | None | DefaultValue,
    ) -> aiohttp.ClientTimeout:
        read = self._read_timeout if isinstance(read, DefaultValue) else read
        connect = self._connect_timeout if isinstance(connect, DefaultValue) else connect
        pool = self._pool_timeout if isinstance(pool, DefaultValue) else pool
        # aiohttp's `connect` covers waiting for a free connection as well as opening one.
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(total=None, connect=waiting, sock_connect=connect, sock_read=read)


def _body(request_data: RequestData | None) -> dict[str, str] | aiohttp.FormData | None:
    """Form fields, as Telegram takes them; multipart when files go with them."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
