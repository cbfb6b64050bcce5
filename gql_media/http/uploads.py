"""Stream a GraphQL multipart request: files go to disk, hashed and capped as they
arrive; nothing is held whole in memory.

Implements the receiving side of the GraphQL multipart request spec
(`operations`, `map`, then file parts) for the Strawberry view.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

from gql_media.errors import GqlMediaError, InvalidInput, TooLarge
from gql_media.media.hashing import HashingWriter
from gql_media.services.assets.validation import ReceivedFile

MAX_FIELD_BYTES = 1024 * 1024  # operations and map are small JSON documents
MAX_FIELDS = 16
MAX_FILES = 8


class UploadRejected(Exception):
    """The request cannot be parsed or breaks a limit; `status` is the HTTP code."""

    def __init__(self, error: GqlMediaError, status: int) -> None:
        super().__init__(error.message)
        self.error = error
        self.status = status


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    data: bytearray = field(default_factory=bytearray)
    sink: HashingWriter | None = None
    filename: str | None = None
    content_type: str | None = None


class MultipartUpload:
    """Parses one request body; the files it wrote go with `cleanup()`."""

    def __init__(self, tmp_dir: Path, max_file_bytes: int) -> None:
        self.tmp_dir = tmp_dir
        self.max_file_bytes = max_file_bytes
        self.fields: dict[str, str] = {}
        self.files: dict[str, ReceivedFile] = {}
        self._paths: list[Path] = []
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""

    async def parse(self, content_type: str, body: AsyncIterator[bytes]) -> None:
        _, params = parse_options_header(content_type)
        boundary = params.get(b"boundary")
        if not boundary:
            raise UploadRejected(InvalidInput("missing multipart boundary"), 400)
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
            parser.finalize()
        except TooLarge as exc:
            raise UploadRejected(exc, 413) from None
        except UploadRejected:
            raise
        except Exception as exc:  # the parser's own errors: malformed bodies
            message = f"invalid multipart body: {exc}"
            raise UploadRejected(InvalidInput(message), 400) from None
        finally:
            if self._part.sink is not None:
                self._part.sink.discard()  # a part that never ended

    def cleanup(self) -> None:
        """Remove every file written for this request."""
        for path in self._paths:
            path.unlink(missing_ok=True)

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
            raise UploadRejected(InvalidInput("a part has no name"), 400)
        part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.fields) >= MAX_FIELDS:
                raise UploadRejected(InvalidInput("too many form fields"), 400)
            return
        if len(self.files) >= MAX_FILES:
            raise UploadRejected(InvalidInput(f"at most {MAX_FILES} files"), 400)
        # The user's file name is kept as text only, never used as a path.
        part.filename = options[b"filename"].decode("utf-8", "replace")[:255]
        raw_type = part.headers.get(b"content-type")
        part.content_type = raw_type.decode("latin-1")[:128] if raw_type else None
        path = self.tmp_dir / f"upload-{uuid.uuid4().hex}"
        self._paths.append(path)
        part.sink = HashingWriter(path, self.max_file_bytes)

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.sink is not None:
            # Chunks are at most one network read (~64 KiB): hashing and writing
            # them inline costs microseconds, less than a thread hop.
            part.sink.write(data[start:end])
        else:
            if len(part.data) + end - start > MAX_FIELD_BYTES:
                raise UploadRejected(TooLarge("a form field is too large"), 413)
            part.data.extend(data[start:end])

    def _end(self) -> None:
        part = self._part
        if part.sink is None:
            self.fields[part.name] = part.data.decode("utf-8", "replace")
            return
        part.sink.close()
        self.files[part.name] = ReceivedFile(
            path=part.sink.path,
            sha256=part.sink.sha256,
            size=part.sink.size,
            filename=part.filename,
            content_type=part.content_type,
        )
        part.sink = None
