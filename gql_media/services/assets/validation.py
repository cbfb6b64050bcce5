"""Validated, transport-neutral inputs of the asset use cases."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlsplit

from gql_media.errors import InvalidInput
from gql_media.models import AssetKind

MAX_NAME = 255
MAX_TAGS = 32
MAX_TAG = 64
MAX_METADATA_BYTES = 64 * 1024
MAX_PROMPT = 20_000


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
        if self.cost is not None and (self.cost < 0 or not self.cost.is_finite()):
            raise InvalidInput("cost must be a non-negative number", field="cost")
        if self.prompt is not None and len(self.prompt) > MAX_PROMPT:
            raise InvalidInput(f"prompt is over {MAX_PROMPT} characters", "prompt")
        for name in ("provider", "model", "external_job_id"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_NAME:
                raise InvalidInput(f"{name} is over {MAX_NAME} characters", name)
        if self.params is not None:
            check_json_object(self.params, "params")
        return self

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
        if self.provenance is not None:
            self.provenance.validate()
        return AssetDetails(
            name=self.name.strip() if self.name else None,
            kind=self.kind,
            tags=normalize_tags(self.tags),
            metadata=self.metadata,
            provenance=self.provenance,
        )


def check_name(name: str) -> str:
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is over {MAX_NAME} characters", field="name")
    if any(ord(c) < 32 for c in name):
        raise InvalidInput("name contains control characters", field="name")
    return name.strip()


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


def check_json_object(value: Any, name: str) -> None:
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be a JSON object", field=name)
    if len(json.dumps(value, default=str)) > MAX_METADATA_BYTES:
        raise InvalidInput(f"{name} is over {MAX_METADATA_BYTES} bytes", field=name)


@dataclass(frozen=True)
class ReceivedFile:
    """An uploaded file, already on local disk, hashed as it arrived."""

    path: Any  # pathlib.Path of a temp file the caller removes
    sha256: str
    size: int
    filename: str | None
    content_type: str | None
