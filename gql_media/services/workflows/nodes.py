"""The registry of node types: named inputs and outputs and a JSON schema of the
params of each. A frontend builds its palette from it (`workflowNodeTypes`)."""

from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator


@dataclass(frozen=True)
class Port:
    name: str
    kind: str  # "text" or "video": what travels on a connection
    many: bool = False  # an input that takes several connections, in order


@dataclass(frozen=True)
class NodeType:
    name: str
    description: str
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    params_schema: dict[str, Any]
    # Run by the server when its inputs are present; the others report through
    # reportNodeRun (they run in the client or in an external engine).
    server_run: bool = False

    def input(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> Port | None:
        return next((p for p in self.outputs if p.name == name), None)


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


_TEXT = {"type": "string", "maxLength": 10_000}
_NAME = {"type": "string", "minLength": 1, "maxLength": 255}

NODE_TYPES: dict[str, NodeType] = {
    t.name: t
    for t in (
        NodeType(
            "TextInput",
            "A text typed by the user; the server passes it on.",
            (),
            (Port("text", "text"),),
            _schema({"text": _TEXT}, ["text"]),
            server_run=True,
        ),
        NodeType(
            "PromptGenerator",
            "Turns a text into a video prompt (runs in the client or an engine).",
            (Port("text", "text"),),
            (Port("prompt", "text"),),
            _schema({"template": _TEXT, "model": _NAME}, []),
        ),
        NodeType(
            "VideoGeneration",
            "Generates a video from a prompt with a provider's model (runs in an "
            "external engine, which reports the video).",
            (Port("prompt", "text"),),
            (Port("video", "video"),),
            _schema(
                {
                    "provider": _NAME,
                    "model": _NAME,
                    "durationSeconds": {"type": "number", "exclusiveMinimum": 0},
                },
                ["provider", "model"],
            ),
        ),
        NodeType(
            "ImportVideo",
            "Imports a video from an http(s) URL (an import job run by the server).",
            (),
            (Port("video", "video"),),
            _schema(
                {
                    "url": {
                        "type": "string",
                        "pattern": "^[hH][tT][tT][pP][sS]?://",
                        "maxLength": 4096,
                    }
                },
                ["url"],
            ),
            server_run=True,
        ),
        NodeType(
            "VideoStitcher",
            "Joins its input videos, in the order of the connections, into one "
            "(a stitch job run by the server).",
            (Port("videos", "video", many=True),),
            (Port("video", "video"),),
            _schema(
                {
                    "name": _NAME,
                    "tags": {"type": "array", "items": _NAME, "maxItems": 32},
                },
                [],
            ),
            server_run=True,
        ),
        NodeType(
            "Output",
            "Marks the workflow's result videos (linked with role OUTPUT).",
            (Port("video", "video", many=True),),
            (),
            _schema({"label": _NAME}, []),
            server_run=True,
        ),
    )
}

VALIDATORS = {
    name: Draft202012Validator(t.params_schema) for name, t in NODE_TYPES.items()
}
