"""The LINE Messaging API through the official SDK (line-bot-sdk v3, asyncio client).

The API's base URL is a setting (`SADUAK_LINE_API_URL`): LINE's own by default, a local fake in
tests and the demo (line.fake). Every call is bounded by `timeout` seconds; what it comes to is an
`Outcome` the outbox records (sent, retry later, or give up)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from counter.outbox import Outcome

if TYPE_CHECKING:
    import aiohttp
    from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi

# The SDK's messaging package and its HTTP client are imported on first use, not with the app:
# importing them costs about a second of CPU, paid by every server process whether or not an
# office uses LINE.

log = logging.getLogger(__name__)

LINE_API = "https://api.line.me"


def outcome_of_status(status: int, detail: str) -> Outcome:
    """What an HTTP answer means for the message: 2xx sent; 409 (a retry key already accepted:
    the first attempt did arrive) sent; 429 and 5xx worth retrying; any other 4xx will not
    change by retrying (a bad token, a blocked user, a used reply token)."""
    if 200 <= status < 300 or status == 409:
        return Outcome(True, f"HTTP {status}")
    if status == 429 or status >= 500:
        return Outcome(False, f"HTTP {status}: {detail}"[:300])
    return Outcome(False, f"HTTP {status}: {detail}"[:300], retry=False)


class LineApi:
    """One asyncio client per access token (offices have their own), for the app's lifetime."""

    def __init__(self, base_url: str = "", *, timeout: float = 10.0) -> None:
        self.base_url = (base_url or LINE_API).rstrip("/")
        self.timeout = timeout
        self._clients: dict[str, tuple[AsyncApiClient, AsyncMessagingApi]] = {}

    def _api(self, access_token: str) -> AsyncMessagingApi:
        found = self._clients.get(access_token)
        if found is None:
            from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

            config = Configuration(host=self.base_url, access_token=access_token)
            client = AsyncApiClient(config)
            found = self._clients[access_token] = (client, AsyncMessagingApi(client))
        return found[1]

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        for client, _ in clients.values():
            try:
                await client.close()
            except Exception:
                log.debug("closing a LINE client failed", exc_info=True)

    async def push(
        self, access_token: str, to: str, messages: list[dict[str, Any]], retry_key: str
    ) -> Outcome:
        from linebot.v3.messaging import PushMessageRequest

        request = PushMessageRequest.from_dict({"to": to, "messages": messages})
        api = self._api(access_token)
        return await self._call(
            api.push_message(
                request, x_line_retry_key=retry_key, _request_timeout=self._aiohttp_timeout()
            )
        )

    async def reply(
        self, access_token: str, reply_token: str, messages: list[dict[str, Any]]
    ) -> Outcome:
        from linebot.v3.messaging import ReplyMessageRequest

        request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages})
        api = self._api(access_token)
        return await self._call(
            api.reply_message(request, _request_timeout=self._aiohttp_timeout())
        )

    def _aiohttp_timeout(self) -> aiohttp.ClientTimeout:
        import aiohttp

        return aiohttp.ClientTimeout(total=self.timeout)

    async def _call(self, call: Any) -> Outcome:
        import aiohttp
        from linebot.v3.messaging.exceptions import ApiException

        try:
            # The SDK passes the timeout to aiohttp; this bound holds whatever it does with it.
            async with asyncio.timeout(self.timeout + 1.0):
                await call
        except ApiException as exc:
            return outcome_of_status(int(exc.status or 0), str(exc.reason or ""))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            return Outcome(False, f"no answer from LINE: {type(exc).__name__}")
        return Outcome(True, "HTTP 200")
