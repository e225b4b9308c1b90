"""The print agent's job channel: one WebSocket from the kiosk PC out to the server.

Messages are JSON objects with a `type`:

agent → server
    hello   {token, agent, printer: {width, impl, cut, status, url}, status: {state, detail}}
            first message; the token is never in the URL (access logs)
    status  {state, detail}                   before and after each job, and on a heartbeat
    ack     {job, printed, state, detail, replayed}
            the outcome of a job; `replayed` when the agent had already handled this job id
            (a redelivery after a lost connection) and answered from its journal
server → agent
    welcome {device: {id, name}, heartbeat}
    job     {job, kind, number, width, png}   the slip as a 1-bit PNG (base64), rendered by
                                              the server at the agent's width

Close codes: 4401 the token is unknown or revoked (stop: pair again), 4403 the token is not a
kiosk whose printer is `agent://` (stop: fix the setting), 4409 another agent connected with the
same token (stop), 4400 a malformed hello.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

PATH = "/ws/kiosk-agent"
AGENT_NAME = "saduak-kiosk-agent/1"
HEARTBEAT_SECONDS = 10.0
# The server gives up on a silent agent after this many heartbeats.
MISSED_HEARTBEATS = 3
CLOSE_BAD_HELLO = 4400
CLOSE_BAD_TOKEN = 4401
CLOSE_NOT_AGENT_KIOSK = 4403
# Another agent connected with this kiosk's token: two agents must not share a kiosk.
CLOSE_REPLACED = 4409
FATAL_CLOSE_CODES = frozenset({CLOSE_BAD_TOKEN, CLOSE_NOT_AGENT_KIOSK, CLOSE_REPLACED})
# A 576-dot slip as PNG is a few KB; anything near this is not a slip.
MAX_MESSAGE_BYTES = 2 * 1024 * 1024


def encode_image(image: Image.Image) -> str:
    """A slip image as base64 PNG, 1 bit per dot (PNG's deflate shrinks the white space).

    Not `optimize=True`: it saves 4 % of the bytes and costs about seven times the encoding."""
    buffer = io.BytesIO()
    image.convert("1").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_image(data: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(data, validate=True)))
    image.load()
    return image.convert("1")


def job_message(job_id: int, kind: str, number: str | None, image: Image.Image) -> dict[str, Any]:
    return {
        "type": "job",
        "job": job_id,
        "kind": kind,
        "number": number,
        "width": image.width,
        "png": encode_image(image),
    }
