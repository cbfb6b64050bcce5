"""Custom scalars: Python types here, their GraphQL definitions in SCALARS
(passed to the schema's config).

Every parse function refuses bad input by raising a GraphQL error, which reaches the
client as a validation error; a bare ValueError or decimal exception would read as a
bug of ours (INTERNAL).
"""

import decimal
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NewType

import strawberry
from graphql import FloatValueNode, IntValueNode, StringValueNode, ValueNode
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition, DecimalDefinition
from strawberry.types.scalar import ScalarDefinition

BigInt = NewType("BigInt", int)

# The columns behind BigInt are 64-bit signed integers (PostgreSQL bigint, SQLite
# INTEGER); a wider value could only fail later, in the database driver.
BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1
# ASCII digits only: int() also takes spaces, underscores and non-Latin digits.
_DECIMAL_INTEGER = re.compile(r"-?[0-9]{1,19}")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _bigint_error(value: object) -> StrawberryInputCoercionError:
    return StrawberryInputCoercionError(
        f"BigInt must be an integer from {BIGINT_MIN} to {BIGINT_MAX}, as a number "
        f"or a decimal string; got {_shown(value)}."
    )


def _to_bigint(value: object) -> int:
    if isinstance(value, str):
        if not _DECIMAL_INTEGER.fullmatch(value):
            raise _bigint_error(value)
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)  # a JSON number such as 42.0, as Int accepts it
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bigint_error(value)
    if not BIGINT_MIN <= value <= BIGINT_MAX:
        raise _bigint_error(value)
    return value


def _parse_bigint_literal(node: ValueNode, _variables: Any = None) -> int:
    # The literal's text, never graphql-core's untyped value: that would turn a
    # 5000-digit literal into a ValueError and 1.0e3 into a float.
    if isinstance(node, IntValueNode | StringValueNode):
        return _to_bigint(node.value)
    raise _bigint_error(getattr(node, "value", node.kind))


def _decimal_error(value: object) -> StrawberryInputCoercionError:
    return StrawberryInputCoercionError(
        f"Decimal must be a finite number, as a number or a string such as "
        f'"12.50"; got {_shown(value)}.'
    )


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _decimal_error(value)
    try:
        number = Decimal(str(value))
    except decimal.DecimalException:
        raise _decimal_error(value) from None
    if not number.is_finite():  # NaN, sNaN and Infinity compare or store badly
        raise _decimal_error(value)
    return number


def _parse_decimal_literal(node: ValueNode, _variables: Any = None) -> Decimal:
    # The literal's exact text: through a float, 1e999999 would become Infinity.
    if isinstance(node, IntValueNode | FloatValueNode | StringValueNode):
        return _to_decimal(node.value)
    raise _decimal_error(getattr(node, "value", node.kind))


def _to_datetime(value: object) -> datetime:
    parse = DateTimeDefinition.parse_value
    assert parse is not None  # Strawberry's DateTime always has one
    parsed = parse(value)  # raises a GraphQL error itself
    assert isinstance(parsed, datetime)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        # In UTC, as the database compares and stores; year 1 at +14:00 has no
        # UTC time and would fail deep inside the driver.
        return parsed.astimezone(UTC)
    except OverflowError:
        raise StrawberryInputCoercionError(
            f"DateTime is out of range in UTC; got {_shown(value)}."
        ) from None


SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description=(
            "A 64-bit signed integer (byte counts, bitrates); serialized as a JSON "
            "number, accepted as a number or a string of decimal digits."
        ),
        serialize=int,
        parse_value=_to_bigint,
        parse_literal=_parse_bigint_literal,
    ),
    # Strawberry's Decimal, stricter: only finite numbers, literals read exactly.
    Decimal: strawberry.scalar(
        name=DecimalDefinition.name,
        description=DecimalDefinition.description,
        serialize=str,
        parse_value=_to_decimal,
        parse_literal=_parse_decimal_literal,
    ),
    # Strawberry's DateTime, made timezone-aware: a time without an offset is UTC.
    datetime: strawberry.scalar(
        name=DateTimeDefinition.name,
        description="Date with time (ISO 8601); without an offset it is UTC.",
        serialize=datetime.isoformat,
        parse_value=_to_datetime,
    ),
}
