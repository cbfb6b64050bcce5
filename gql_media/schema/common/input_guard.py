"""Refuse string input with a NUL character (U+0000), literal or variable, anywhere."""

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from gql_media.errors import InvalidInput

NUL = "\x00"
MESSAGE = "Strings must not contain the NUL character (U+0000)."


def _has_nul(value: Any) -> bool:
    """Whether a variable value (decoded JSON) holds a NUL in a string or a key."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class _FindNul(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        self.found = self.found or NUL in node.value


def _document_has_nul(document: DocumentNode) -> bool:
    finder = _FindNul()
    visit(document, finder)
    return finder.found


class RefuseNul(SchemaExtension):
    """PostgreSQL stores no NUL in text or jsonb, so such a string could only fail
    in the driver, as an INTERNAL error, after other rows were written. One check
    here covers every argument, input field and JSON value, on every backend."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if _has_nul(context.variables) or (document and _document_has_nul(document)):
            # Raised before execution, outside the error masking: code set here.
            raise GraphQLError(MESSAGE, extensions={"code": InvalidInput.code})
        yield
