"""Custom scalars: Python types here, their GraphQL definitions in SCALARS
(passed to the schema's config)."""

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

BigInt = NewType("BigInt", int)


def _parse_bigint(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("BigInt must be an integer or a decimal string")
    return int(str(value), 10)


SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description=(
            "An integer that may pass 2^31 (byte counts, bitrates); serialized as "
            "a JSON number, accepted as a number or a decimal string."
        ),
        serialize=int,
        parse_value=_parse_bigint,
    )
}
