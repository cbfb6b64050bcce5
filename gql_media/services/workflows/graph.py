"""Checking a workflow definition: its shape, its limits, its connections, its
acyclicity and (for a save) the params of every node against its type's schema.

A definition is `{"nodes": [{"id", "type", "params", "position": {"x", "y"}}],
"connections": [{"from": "<node>:<output>", "to": "<node>:<input>"}]}`.
"""

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

import orjson

from gql_media.errors import InvalidInput, TooLarge
from gql_media.services.workflows.nodes import NODE_TYPES, VALIDATORS

MAX_NODES = 500
MAX_CONNECTIONS = 2000
MAX_DEFINITION_BYTES = 1024 * 1024
MAX_NODE_ID = 128


@dataclass(frozen=True)
class Edge:
    source: str
    output: str
    target: str
    input: str


@dataclass(frozen=True)
class Graph:
    """A checked definition: nodes by id, edges in their given order, and the
    node ids in a topological order (stable: given order among equals)."""

    nodes: dict[str, dict[str, Any]]
    edges: list[Edge]
    order: list[str]

    def inputs_of(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    def outputs_of(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]


def empty() -> dict[str, Any]:
    return {"nodes": [], "connections": []}


def check(definition: object, *, full: bool) -> Graph:
    """Check a definition; `full` (a save) also checks every node's params.

    Raises:
        TooLarge: over 1 MiB, 500 nodes or 2,000 connections.
        InvalidInput: any other fault, with the first one found in its message.
    """
    if not isinstance(definition, dict):
        raise InvalidInput("the definition must be a JSON object", "definition")
    size = len(orjson.dumps(definition))
    if size > MAX_DEFINITION_BYTES:
        raise TooLarge(
            f"the definition is {size} bytes; at most {MAX_DEFINITION_BYTES}",
            MAX_DEFINITION_BYTES,
        )
    unknown = set(definition) - {"nodes", "connections"}
    if unknown:
        raise InvalidInput(f"unknown keys {sorted(unknown)}", "definition")
    raw_nodes = definition.get("nodes", [])
    raw_edges = definition.get("connections", [])
    if not isinstance(raw_nodes, list) or not isinstance(raw_edges, list):
        raise InvalidInput("nodes and connections must be lists", "definition")
    if len(raw_nodes) > MAX_NODES:
        raise TooLarge(f"{len(raw_nodes)} nodes; at most {MAX_NODES}", MAX_NODES)
    if len(raw_edges) > MAX_CONNECTIONS:
        raise TooLarge(
            f"{len(raw_edges)} connections; at most {MAX_CONNECTIONS}",
            MAX_CONNECTIONS,
        )
    nodes: dict[str, dict[str, Any]] = {}
    for index, node in enumerate(raw_nodes):
        node_id = _check_node(node, index, full=full)
        if node_id in nodes:
            raise InvalidInput(f"duplicate node id {node_id!r}", "definition")
        nodes[node_id] = node
    edges = [_check_edge(raw, i, nodes) for i, raw in enumerate(raw_edges)]
    _check_fan_in(edges, nodes)
    return Graph(nodes, edges, _topological(nodes, edges))


def _check_node(node: object, index: int, *, full: bool) -> str:
    where = f"nodes[{index}]"
    if not isinstance(node, dict):
        raise InvalidInput(f"{where} must be an object", "definition")
    extra = set(node) - {"id", "type", "params", "position"}
    if extra:
        raise InvalidInput(f"{where}: unknown keys {sorted(extra)}", "definition")
    node_id = node.get("id")
    if not isinstance(node_id, str) or not 0 < len(node_id) <= MAX_NODE_ID:
        raise InvalidInput(f"{where}: id must be 1 to 128 characters", "definition")
    if ":" in node_id:
        raise InvalidInput(f"{where}: id must not contain ':'", "definition")
    type_name = node.get("type")
    if type_name not in NODE_TYPES:
        raise InvalidInput(
            f"node {node_id!r}: unknown type {type_name!r}", "definition"
        )
    params = node.get("params", {})
    if not isinstance(params, dict):
        raise InvalidInput(f"node {node_id!r}: params must be an object", "definition")
    position = node.get("position", {"x": 0, "y": 0})
    if not (
        isinstance(position, dict)
        and set(position) == {"x", "y"}
        and all(_is_number(v) for v in position.values())
    ):
        raise InvalidInput(
            f"node {node_id!r}: position must be {{x, y}} numbers", "definition"
        )
    if full:
        error = next(iter(VALIDATORS[type_name].iter_errors(params)), None)
        if error is not None:
            path = ".".join(str(p) for p in error.absolute_path) or "params"
            raise InvalidInput(
                f"node {node_id!r} ({type_name}): {path}: {error.message}",
                "definition",
            )
    return node_id


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _split(end: object, where: str) -> tuple[str, str]:
    if not isinstance(end, str) or end.count(":") != 1:
        raise InvalidInput(f"{where} must be '<nodeId>:<port>'", "definition")
    node_id, port = end.split(":")
    return node_id, port


def _check_edge(raw: object, index: int, nodes: dict[str, dict[str, Any]]) -> Edge:
    where = f"connections[{index}]"
    if not isinstance(raw, dict) or set(raw) != {"from", "to"}:
        raise InvalidInput(f"{where} must be {{from, to}}", "definition")
    source, output = _split(raw["from"], f"{where}.from")
    target, input_ = _split(raw["to"], f"{where}.to")
    for node_id in (source, target):
        if node_id not in nodes:
            raise InvalidInput(f"{where}: no node {node_id!r}", "definition")
    out_port = NODE_TYPES[nodes[source]["type"]].output(output)
    in_port = NODE_TYPES[nodes[target]["type"]].input(input_)
    if out_port is None:
        raise InvalidInput(
            f"{where}: node {source!r} has no output {output!r}", "definition"
        )
    if in_port is None:
        raise InvalidInput(
            f"{where}: node {target!r} has no input {input_!r}", "definition"
        )
    if out_port.kind != in_port.kind:
        raise InvalidInput(
            f"{where}: {out_port.kind} output into a {in_port.kind} input",
            "definition",
        )
    return Edge(source, output, target, input_)


def _check_fan_in(edges: list[Edge], nodes: dict[str, dict[str, Any]]) -> None:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for edge in edges:
        counts[(edge.target, edge.input)] += 1
    for (target, input_), n in counts.items():
        port = NODE_TYPES[nodes[target]["type"]].input(input_)
        if n > 1 and port is not None and not port.many:
            raise InvalidInput(
                f"input {target}:{input_} takes one connection, not {n}", "definition"
            )


def _topological(nodes: dict[str, dict[str, Any]], edges: list[Edge]) -> list[str]:
    """Kahn's algorithm; a node left over lies on a cycle."""
    indegree = dict.fromkeys(nodes, 0)
    following: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        indegree[edge.target] += 1
        following[edge.source].append(edge.target)
    ready = deque(n for n in nodes if indegree[n] == 0)
    order: list[str] = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for nxt in following[node_id]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(order) != len(nodes):
        cyclic = sorted(n for n in nodes if n not in set(order))
        raise InvalidInput(f"the graph has a cycle through {cyclic}", "definition")
    return order
