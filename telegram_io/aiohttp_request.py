"""PTB's requests to the Bot API over aiohttp instead of httpx.

PTB lets the HTTP client be swapped (`telegram.request.BaseRequest`): it builds the request
and reads Telegram's answer (status codes to `Forbidden`, `RetryAfter`, ...) itself, and the
client only moves bytes. Measured on the stand-in (bench/delivery_rate.py), httpx with
httpcore costs about 1.1 ms of CPU a request, most of a ledger message's cost, where aiohttp
moves the same request for about 0.25 ms. aiohttp is already the webhook's server.

Failures keep PTB's meaning: a timeout is `TimedOut`, anything else on the way is
`NetworkError`. A timeout while getting a connection (the request never left) is raised
from `NotSent`, so the sender can tell it from a read timeout (it may have arrived).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_DEFAULT = type(BaseRequest.DEFAULT_NONE)  # "not given": the instance's own timeout


class NotSent(Exception):
    """The request was not written: no connection could be had in time."""


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `connection_pool_size` keep-alive connections;
    the timeouts are PTB's (read, write, connect, pool), each overridable per call."""

    def __init__(self, connection_pool_size: int = 256, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout,
                       self._media_write_timeout if files else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        # aiohttp has no write timeout of its own: the whole request may take the time to
        # write it and to read the answer; getting a connection has its own limit.
        total = None if read is None or write is None else read + write
        timeout = aiohttp.ClientTimeout(
            total=total, connect=None if connect is None or pool is None else connect + pool,
            sock_read=read)
        try:
            async with self._session.request(method, url, data=_body(request_data, files),
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:
            raise TimedOut("Timed out getting a connection: the request was not sent") \
                from NotSent(str(err))
        except TimeoutError as err:  # aiohttp's read timeouts are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _given(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, _DEFAULT) else value


def _body(request_data: RequestData | None, files: dict[str, Any] | None) -> Any:
    """A form, as Telegram takes it: url-encoded, or multipart when files go with it."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not files:
        return fields
    form = aiohttp.FormData(quote_fields=False)  # file names in UTF-8, as httpx sends them
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (file_name, content, mime_type) in files.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form
