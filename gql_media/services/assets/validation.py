"""Validated, transport-neutral inputs of the asset use cases."""

import dataclasses
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote, urlsplit

from gql_media.errors import InvalidInput
from gql_media.models import AssetKind

MAX_NAME = 255
MAX_TAGS = 32
MAX_TAG = 64
MAX_METADATA_BYTES = 64 * 1024
MAX_PROMPT = 20_000
MAX_JSON_DEPTH = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Each JSON value takes at least 2 bytes ("0,"), so a document within
# MAX_METADATA_BYTES never has more values than this.
MAX_JSON_VALUES = MAX_METADATA_BYTES // 2
MAX_CONTENT_TYPE = 255
# type/subtype with optional ;name=value parameters (RFC 9110 tokens): it becomes
# the stored object's Content-Type header, so no control characters or CR/LF.
_TOKEN = r"[A-Za-z0-9!#$&^_.+\-]+"
_QUOTED = r'"[\x20\x21\x23-\x5b\x5d-\x7e]*"'  # printable, no '"' or '\\'
_CONTENT_TYPE = re.compile(
    rf"{_TOKEN}/{_TOKEN}([ \t]*;[ \t]*{_TOKEN}=({_TOKEN}|{_QUOTED}))*"
)
# numeric(14, 6): eight digits before the point.
MAX_COST = Decimal("99999999.999999")
_COST_STEP = Decimal("0.000001")


@dataclass(frozen=True)
class Provenance:
    """Where an AI-generated asset came from."""

    provider: str | None = None
    model: str | None = None
    prompt: str | None = None
    params: dict[str, Any] | None = None
    external_job_id: str | None = None
    cost: Decimal | None = None
    completed_at: datetime | None = None

    def validate(self) -> "Provenance":
        if self.prompt is not None and len(self.prompt) > MAX_PROMPT:
            raise InvalidInput(f"prompt is over {MAX_PROMPT} characters", "prompt")
        for name in ("provider", "model", "external_job_id"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_NAME:
                raise InvalidInput(f"{name} is over {MAX_NAME} characters", name)
        if self.params is not None:
            check_json_object(self.params, "params")
        return dataclasses.replace(self, cost=check_cost(self.cost, "cost"))

    def columns(self) -> dict[str, Any]:
        """The Asset columns that hold this provenance."""
        return {
            "provider": self.provider,
            "provider_model": self.model,
            "prompt": self.prompt,
            "generation_params": self.params,
            "external_job_id": self.external_job_id,
            "cost": self.cost,
            "generated_at": self.completed_at,
        }


@dataclass(frozen=True)
class AssetDetails:
    """What a client says about a new asset."""

    name: str | None = None
    kind: AssetKind | None = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    provenance: Provenance | None = None

    def validate(self) -> "AssetDetails":
        if self.name is not None:
            check_name(self.name)
        check_json_object(self.metadata, "metadata")
        return AssetDetails(
            name=self.name.strip() if self.name else None,
            kind=self.kind,
            tags=normalize_tags(self.tags),
            metadata=self.metadata,
            provenance=self.provenance.validate() if self.provenance else None,
        )


def check_name(name: str) -> str:
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is over {MAX_NAME} characters", field="name")
    if any(ord(c) < 32 for c in name):
        raise InvalidInput("name contains control characters", field="name")
    return name.strip()


def check_content_type(value: str | None, field: str) -> str | None:
    """A client's MIME type (`video/mp4; codecs=avc1`), or InvalidInput."""
    if value is None or value == "":
        return None
    if len(value) > MAX_CONTENT_TYPE or not _CONTENT_TYPE.fullmatch(value):
        raise InvalidInput(
            f"{field} must be a MIME type (type/subtype) of at most "
            f"{MAX_CONTENT_TYPE} printable characters",
            field=field,
        )
    return value


def name_from_url(url: str) -> str | None:
    """A name from the URL's last path segment (decoded, printable characters
    only, cut to fit); None when there is nothing to use."""
    tail = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return "".join(c for c in tail if c.isprintable())[:MAX_NAME].strip() or None


def normalize_tags(tags: list[str]) -> list[str]:
    """Strip, drop duplicates (keeping order) and check count and length."""
    seen: dict[str, None] = {}
    for tag in tags:
        tag = tag.strip()
        if not tag or len(tag) > MAX_TAG or any(ord(c) < 32 for c in tag):
            raise InvalidInput(
                f"tags must be 1 to {MAX_TAG} printable characters", field="tags"
            )
        seen.setdefault(tag, None)
    if len(seen) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags", field="tags")
    return list(seen)


def check_cost(value: Decimal | None, name: str) -> Decimal | None:
    """A cost as stored: finite, 0 to MAX_COST, rounded to 6 decimal places."""
    if value is None:
        return None
    try:
        # is_finite first: NaN refuses to be compared (InvalidOperation).
        ok = value.is_finite() and 0 <= value <= MAX_COST
        rounded = value.quantize(_COST_STEP).copy_abs()  # "-0" is stored as 0
    except InvalidOperation:
        ok = False
    if not ok:
        raise InvalidInput(f"{name} must be a number from 0 to {MAX_COST}", name)
    return rounded


def check_json_object(value: Any, name: str) -> None:
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be a JSON object", field=name)
    _check_json_shape(value, name)
    try:
        # NaN and Infinity pass Python's JSON parser; PostgreSQL's jsonb and every
        # strict JSON reader refuse them.
        size = len(json.dumps(value, default=str, allow_nan=False))
    except ValueError:
        raise InvalidInput(
            f"{name} must be JSON: no NaN or Infinity", field=name
        ) from None
    if size > MAX_METADATA_BYTES:
        raise InvalidInput(f"{name} is over {MAX_METADATA_BYTES} bytes", field=name)


def _check_json_shape(value: dict[str, Any], name: str) -> None:
    """Refuse too deep or too many values before serialising: a walk that stops at
    the first excess, without recursion, so its cost is bounded by the limits."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    count = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > MAX_JSON_VALUES:
            raise InvalidInput(f"{name} is over {MAX_METADATA_BYTES} bytes", name)
        if depth > MAX_JSON_DEPTH:
            raise InvalidInput(f"{name} nests deeper than {MAX_JSON_DEPTH}", name)
        if not isinstance(item, dict | list):
            # Stored JSON (orjson, PostgreSQL jsonb readers) holds 64-bit integers.
            if isinstance(item, int) and not INT64_MIN <= item <= INT64_MAX:
                raise InvalidInput(f"{name} holds an integer beyond 64 bits", name)
            continue
        if count + len(stack) + len(item) > MAX_JSON_VALUES:
            raise InvalidInput(f"{name} is over {MAX_METADATA_BYTES} bytes", name)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)


@dataclass(frozen=True)
class ReceivedFile:
    """An uploaded file, already on local disk, hashed as it arrived."""

    path: Any  # pathlib.Path of a temp file the caller removes
    sha256: str
    size: int
    filename: str | None
    content_type: str | None
