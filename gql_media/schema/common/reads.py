"""Selection-shaped reads: a type built from only the columns its selected fields use.

A tree query reads thousands of rows. Loading every column of every row, parsing
every timestamp and filling all forty attributes of an `Asset` when the client asked
for three costs more than executing the GraphQL itself. A `Reads` table says, for a
type built from one model, which columns each attribute comes from and which
attributes each resolver field uses. `plan(fields)` gives the columns a selection
needs and `build(values, plan)` an instance holding just those attributes.

Safe by construction: a selected field the table does not know (a new resolver field,
say) makes the plan read every column and fill every attribute, as `from_model`
does. Tests check that a full build equals `from_model` and that the table covers
every attribute of the type.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from strawberry.types.nodes import SelectedField, Selection
from strawberry.utils.str_converters import to_camel_case

T = TypeVar("T")
Convert = Callable[[Any], Any]
FromValues = Callable[[Mapping[str, Any]], Any]
# How an attribute is filled: the column of the same name, (column, conversion), or
# (columns, a function of the row's values) for an attribute built from several.
Source = str | tuple[str, Convert] | tuple[tuple[str, ...], FromValues]
Fill = tuple[tuple[str, ...], FromValues]


def as_id(value: Any) -> str:
    """A primary or foreign key as the string the types hold."""
    return str(value)


def as_optional_id(value: Any) -> str | None:
    return str(value) if value else None


def deferred(value: Awaitable[T]) -> T:
    """Let a plain (sync) resolver return an awaitable when its value is not at
    hand: graphql-core awaits an awaitable a resolver returns. On the hot path the
    resolver returns the value itself and costs no coroutine."""
    return cast(T, value)


@dataclass(frozen=True)
class Plan:
    """What one selection of a type reads: the columns, and the attributes to fill
    (`copies` straight from a column, `converts` through a function)."""

    columns: tuple[str, ...]
    attributes: tuple[str, ...]
    copies: tuple[tuple[str, str], ...]
    converts: tuple[tuple[str, FromValues], ...]


class Reads(Generic[T]):
    """The columns behind each attribute and field of a type built from a model."""

    def __init__(
        self,
        cls: type[T],
        attributes: Mapping[str, Source],
        uses: Mapping[str, tuple[str, ...]],
    ) -> None:
        """`attributes`: every dataclass attribute of `cls` that `from_model`
        fills, and its source. `uses`: the attributes each resolver field (by its
        Python name) reads; a data field uses the attribute of its own name."""
        self.cls = cls
        self.fills: dict[str, Fill] = {
            name: _fill_of(source) for name, source in attributes.items()
        }
        self._copied = {
            name: source for name, source in attributes.items() if type(source) is str
        }
        self._uses: dict[str, tuple[str, ...]] = {}
        for field in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            used = uses.get(field.python_name)
            if used is None and field.base_resolver is None:
                used = (field.python_name,)
            if used is not None:
                name = field.graphql_name or to_camel_case(field.python_name)
                self._uses[name] = used
        self.everything = self._plan(tuple(self.fills))
        self._plans: dict[frozenset[str], Plan] = {}

    def plan(self, selected: Iterable[str]) -> Plan:
        """The plan of the GraphQL fields `selected` (names, not aliases)."""
        key = frozenset(selected)
        found = self._plans.get(key)
        if found is None:
            found = self._plans[key] = self._plan_of(key)
        return found

    def _plan_of(self, selected: frozenset[str]) -> Plan:
        wanted: list[str] = []
        for name in sorted(selected - {"__typename"}):
            used = self._uses.get(name)
            if used is None:
                return self.everything
            wanted.extend(used)
        return self._plan(tuple(dict.fromkeys(wanted)))

    def _plan(self, attributes: tuple[str, ...]) -> Plan:
        columns = dict.fromkeys(c for a in attributes for c in self.fills[a][0])
        return Plan(
            columns=tuple(columns),
            attributes=attributes,
            copies=tuple((a, self._copied[a]) for a in attributes if a in self._copied),
            converts=tuple(
                (a, self.fills[a][1]) for a in attributes if a not in self._copied
            ),
        )

    def build(self, values: Mapping[str, Any], plan: Plan) -> T:
        """An instance holding the plan's attributes only: graphql-core reads no
        others (the fields not selected), and a resolver field uses only the
        attributes the table says. `values` holds at least the plan's columns."""
        obj = self.cls.__new__(self.cls)
        state = {name: values[column] for name, column in plan.copies}
        for name, fill in plan.converts:
            state[name] = fill(values)
        obj.__dict__.update(state)
        return obj


def _fill_of(source: Source) -> Fill:
    if isinstance(source, str):
        column = source
        return (column,), lambda values: values[column]
    columns, convert = source
    if isinstance(columns, str):
        one, conv = columns, cast(Convert, convert)
        return (one,), lambda values: conv(values[one])
    return columns, convert


def fields_by_name(selections: Iterable[Selection]) -> dict[str, list[SelectedField]]:
    """The selected fields by name (not alias), through inline fragments and
    fragment spreads: a field selected twice is listed twice."""
    found: dict[str, list[SelectedField]] = {}

    def walk(items: Iterable[Selection]) -> None:
        for item in items:
            if isinstance(item, SelectedField):
                found.setdefault(item.name, []).append(item)
            else:
                walk(item.selections)

    walk(selections)
    return found


def sub_selections(found: Iterable[Selection]) -> list[Selection]:
    """The selections under every occurrence of one field, merged."""
    return [s for field in found for s in field.selections]
