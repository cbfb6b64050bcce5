"""Stream a GraphQL multipart request: files go to disk, hashed and capped as they
arrive; nothing is held whole in memory.

Implements the receiving side of the GraphQL multipart request spec
(`operations`, `map`, then file parts) for the Strawberry view. The parser's
callbacks only record what they saw; opening, closing (with fsync) and removing
files happen after each network read, in a worker thread, so a request full of
tiny file parts cannot stall the event loop.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import (
    MultipartParser,
    MultipartState,
    parse_options_header,
)

from gql_media.errors import InvalidInput, TooLarge
from gql_media.http.limits import RequestRejected
from gql_media.media.hashing import HashingWriter
from gql_media.services.assets.validation import ReceivedFile

MAX_FIELD_BYTES = 1024 * 1024  # operations and map are small JSON documents
MAX_FIELDS = 16
MAX_FILES = 8


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    data: bytearray = field(default_factory=bytearray)
    path: Path | None = None  # set for file parts
    sink: HashingWriter | None = None
    filename: str | None = None
    content_type: str | None = None


# What the parser saw, in order: ("open", part), ("data", part, bytes), ("end", part).
_Event = tuple[str, _Part] | tuple[str, _Part, bytes]


class MultipartUpload:
    """Parses one request body; the files it wrote go with `cleanup()`."""

    def __init__(self, tmp_dir: Path, max_file_bytes: int) -> None:
        self.tmp_dir = tmp_dir
        self.max_file_bytes = max_file_bytes
        self.fields: dict[str, str] = {}
        self.files: dict[str, ReceivedFile] = {}
        self._paths: list[Path] = []
        self._names: set[str] = set()
        self._field_count = 0
        self._file_count = 0
        self._events: list[_Event] = []
        self._sinks: list[HashingWriter] = []
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""

    async def parse(self, content_type: str, body: AsyncIterator[bytes]) -> None:
        _, params = parse_options_header(content_type)
        boundary = params.get(b"boundary")
        if not boundary:
            raise RequestRejected(InvalidInput("missing multipart boundary"), 400)
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_part_end": self._end,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_cb,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done,
            },
        )
        try:
            async for chunk in body:
                parser.write(chunk)
                await self._apply_events()
            parser.finalize()
            if parser.state != MultipartState.END:
                message = "the multipart body ends early"
                raise RequestRejected(InvalidInput(message), 400)
            await self._apply_events()
        except TooLarge as exc:
            raise RequestRejected(exc, 413) from None
        except RequestRejected:
            raise
        except Exception as exc:  # the parser's own errors: malformed bodies
            message = f"invalid multipart body: {exc}"
            raise RequestRejected(InvalidInput(message), 400) from None
        finally:
            # Parts that never ended (a refused or broken body) lose their file.
            unfinished = [sink for sink in self._sinks if not sink.closed]
            if unfinished:
                await asyncio.to_thread(_discard_all, unfinished)

    async def cleanup(self) -> None:
        """Remove every file written for this request."""
        if self._paths:
            await asyncio.to_thread(self._remove_all)

    def _remove_all(self) -> None:
        for path in self._paths:
            path.unlink(missing_ok=True)

    async def _apply_events(self) -> None:
        events, self._events = self._events, []
        for kind, part, *rest in events:
            if kind == "open":
                assert part.path is not None
                part.sink = await asyncio.to_thread(
                    HashingWriter, part.path, self.max_file_bytes
                )
                self._sinks.append(part.sink)
            elif kind == "data":
                assert part.sink is not None
                # One network read (~64 KiB) at most: hashing and writing it inline
                # costs microseconds, less than a thread hop.
                part.sink.write(rest[0])
            else:
                assert part.sink is not None
                await asyncio.to_thread(part.sink.close)
                self.files[part.name] = ReceivedFile(
                    path=part.sink.path,
                    sha256=part.sink.sha256,
                    size=part.sink.size,
                    filename=part.filename,
                    content_type=part.content_type,
                )

    def _begin(self) -> None:
        self._part = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_cb(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._part.headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def _headers_done(self) -> None:
        part = self._part
        disposition = part.headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        if b"name" not in options:
            raise RequestRejected(InvalidInput("a part has no name"), 400)
        part.name = options[b"name"].decode("utf-8", "replace")
        # Every part counts, and a name may appear once: otherwise the caps below
        # would count names, not parts, and a later part would replace an earlier.
        if part.name in self._names:
            message = f"the part name {part.name[:64]!r} is repeated"
            raise RequestRejected(InvalidInput(message), 400)
        self._names.add(part.name)
        if b"filename" not in options:
            self._field_count += 1
            if self._field_count > MAX_FIELDS:
                raise RequestRejected(InvalidInput("too many form fields"), 400)
            return
        self._file_count += 1
        if self._file_count > MAX_FILES:
            raise RequestRejected(InvalidInput(f"at most {MAX_FILES} files"), 400)
        # The user's file name is kept as text only, never used as a path.
        part.filename = options[b"filename"].decode("utf-8", "replace")[:255]
        raw_type = part.headers.get(b"content-type")
        part.content_type = raw_type.decode("latin-1")[:128] if raw_type else None
        part.path = self.tmp_dir / f"upload-{uuid.uuid4().hex}"
        self._paths.append(part.path)
        self._events.append(("open", part))

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.path is not None:
            self._events.append(("data", part, bytes(data[start:end])))
        else:
            if len(part.data) + end - start > MAX_FIELD_BYTES:
                raise RequestRejected(TooLarge("a form field is too large"), 413)
            part.data.extend(data[start:end])

    def _end(self) -> None:
        part = self._part
        if part.path is None:
            self.fields[part.name] = part.data.decode("utf-8", "replace")
            return
        self._events.append(("end", part))


def _discard_all(sinks: list[HashingWriter]) -> None:
    for sink in sinks:
        sink.discard()
