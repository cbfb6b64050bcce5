"""How aiohttp sends an S3 part's body (`FilePart`): 1 MiB reads in a thread.

aiobotocore hands a part's body to aiohttp, whose generic payload for file
objects reads 64 KiB at a time, each read a round trip to the thread pool, then
a write to the socket: 128 of each per 8 MiB part. Those turns of the event loop
cost about a third of the CPU time of sending a large file to an S3 store on
loopback, CPU the store itself wants when it shares the machine. This payload
reads 1 MiB at a time (still in a thread: the file may not be cached), so a
part in flight holds at most 1 MiB, and skips the generic payload's file-name
guessing. Registered for `FilePart` only; every other body is sent as before.
"""

import asyncio
from typing import Any

from aiohttp import payload
from aiohttp.abc import AbstractStreamWriter

from gql_media.storage.file_part import FilePart

READ_BYTES = 1024 * 1024


class FilePartPayload(payload.Payload):
    """A `FilePart` (or aiobotocore's proxy of one) as an aiohttp request body."""

    def __init__(self, value: FilePart, *args: Any, **kwargs: Any) -> None:
        super().__init__(value, *args, **kwargs)
        self._size = len(value)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a file part is sent as bytes, never decoded")

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        part: FilePart = self._value
        remaining = len(part) if content_length is None else content_length
        loop = asyncio.get_running_loop()
        # From the start: a retried request sends the whole part again.
        part.seek(0)
        while remaining > 0:
            chunk = await loop.run_in_executor(
                None, part.read, min(READ_BYTES, remaining)
            )
            if not chunk:
                break
            await writer.write(chunk)
            remaining -= len(chunk)


# Ahead of aiohttp's own payloads: a FilePart is also an io.IOBase.
payload.PAYLOAD_REGISTRY.register(
    FilePartPayload, FilePart, order=payload.Order.try_first
)
