"""The definition checks: every fault a definition can have is refused with a
typed error, and a good graph comes back in topological order."""

from typing import Any

import pytest

from gql_media.errors import InvalidInput, TooLarge
from gql_media.services.workflows import graph


def node(node_id: str, type_: str, **params: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": type_,
        "params": params,
        "position": {"x": 0, "y": 0},
    }


def conn(a: str, b: str) -> dict[str, str]:
    return {"from": a, "to": b}


def pipeline() -> dict[str, Any]:
    return {
        "nodes": [
            node("out", "Output"),
            node("s", "VideoStitcher"),
            node("a", "ImportVideo", url="http://x/a.mp4"),
            node("b", "ImportVideo", url="http://x/b.mp4"),
        ],
        "connections": [
            conn("a:video", "s:videos"),
            conn("b:video", "s:videos"),
            conn("s:video", "out:video"),
        ],
    }


def test_a_good_graph_comes_back_in_topological_order() -> None:
    checked = graph.check(pipeline(), full=True)
    assert (
        checked.order.index("a") < checked.order.index("s") < checked.order.index("out")
    )
    assert [e.source for e in checked.inputs_of("s")] == ["a", "b"]


def test_a_full_text_pipeline_checks() -> None:
    definition = {
        "nodes": [
            node("t", "TextInput", text="a fox"),
            node("p", "PromptGenerator"),
            node("g", "VideoGeneration", provider="replicate", model="m"),
            node("o", "Output"),
        ],
        "connections": [
            conn("t:text", "p:text"),
            conn("p:prompt", "g:prompt"),
            conn("g:video", "o:video"),
        ],
    }
    assert graph.check(definition, full=True).order == ["t", "p", "g", "o"]


BAD: dict[str, tuple[Any, str]] = {
    "not an object": ([], "JSON object"),
    "unknown key": ({"nodes": [], "edges": []}, "unknown keys"),
    "cycle": (
        {
            "nodes": [node("s1", "VideoStitcher"), node("s2", "VideoStitcher")],
            "connections": [
                conn("s1:video", "s2:videos"),
                conn("s2:video", "s1:videos"),
            ],
        },
        "cycle",
    ),
    "self loop": (
        {
            "nodes": [node("s1", "VideoStitcher")],
            "connections": [conn("s1:video", "s1:videos")],
        },
        "cycle",
    ),
    "missing node": (
        {"nodes": [node("o", "Output")], "connections": [conn("x:video", "o:video")]},
        "no node 'x'",
    ),
    "missing output port": (
        {
            "nodes": [node("a", "ImportVideo", url="http://x"), node("o", "Output")],
            "connections": [conn("a:nope", "o:video")],
        },
        "no output 'nope'",
    ),
    "missing input port": (
        {
            "nodes": [node("a", "ImportVideo", url="http://x"), node("o", "Output")],
            "connections": [conn("a:video", "o:nope")],
        },
        "no input 'nope'",
    ),
    "wrong kind": (
        {
            "nodes": [node("t", "TextInput", text="x"), node("o", "Output")],
            "connections": [conn("t:text", "o:video")],
        },
        "text output into a video input",
    ),
    "two into a single input": (
        {
            "nodes": [
                node("t", "TextInput", text="x"),
                node("u", "TextInput", text="y"),
                node("p", "PromptGenerator"),
            ],
            "connections": [conn("t:text", "p:text"), conn("u:text", "p:text")],
        },
        "takes one connection",
    ),
    "malformed end": (
        {"nodes": [node("o", "Output")], "connections": [conn("o", "o:video")]},
        "'<nodeId>:<port>'",
    ),
    "duplicate ids": (
        {"nodes": [node("o", "Output"), node("o", "Output")], "connections": []},
        "duplicate node id",
    ),
    "unknown type": (
        {"nodes": [node("o", "Teleporter")], "connections": []},
        "unknown type 'Teleporter'",
    ),
    "empty id": ({"nodes": [node("", "Output")], "connections": []}, "id must be"),
    "bad position": (
        {
            "nodes": [
                {"id": "o", "type": "Output", "params": {}, "position": {"x": "1"}}
            ],
            "connections": [],
        },
        "position",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_definitions_are_refused(case: str) -> None:
    definition, words = BAD[case]
    for full in (False, True):
        with pytest.raises(InvalidInput) as caught:
            graph.check(definition, full=full)
        assert words in caught.value.message


PARAMS = {
    "missing url": node("a", "ImportVideo"),
    "not a URL": node("a", "ImportVideo", url="ftp://x/a.mp4"),
    "missing model": node("g", "VideoGeneration", provider="replicate"),
    "extra param": node("o", "Output", colour="red"),
    "wrong type": node("t", "TextInput", text=3),
}


@pytest.mark.parametrize("case", sorted(PARAMS))
def test_params_failing_the_schema_are_refused_by_a_save_only(case: str) -> None:
    definition = {"nodes": [PARAMS[case]], "connections": []}
    graph.check(definition, full=False)  # a draft may be partial
    with pytest.raises(InvalidInput) as caught:
        graph.check(definition, full=True)
    assert PARAMS[case]["type"] in caught.value.message


def test_more_than_500_nodes_is_too_large() -> None:
    nodes = [node(f"n{i}", "Output") for i in range(501)]
    with pytest.raises(TooLarge):
        graph.check({"nodes": nodes, "connections": []}, full=False)
    graph.check({"nodes": nodes[:500], "connections": []}, full=False)


def test_more_than_2000_connections_is_too_large() -> None:
    nodes = [node("a", "ImportVideo", url="http://x"), node("o", "Output")]
    edges = [conn("a:video", "o:video")] * 2001
    with pytest.raises(TooLarge):
        graph.check({"nodes": nodes, "connections": edges}, full=False)
    graph.check({"nodes": nodes, "connections": edges[:2000]}, full=False)


def test_a_definition_over_1_mib_is_too_large() -> None:
    text = "x" * 5000
    nodes = [node(f"n{i}", "Output", label=text) for i in range(220)]
    with pytest.raises(TooLarge) as caught:
        graph.check({"nodes": nodes, "connections": []}, full=False)
    assert "bytes" in caught.value.message
