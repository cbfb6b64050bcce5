"""`gql-media owner` and `gql-media token` in real subprocesses, and `serve`
refusing to expose the API without tokens."""

import asyncio
import json
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.support.tls import TLS
from tests.test_cli import BIN, env_for, run


async def test_owner_and_token_commands_end_to_end(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data")
    code, out, err = await run("owner", "create", "acme", env=env)
    assert code == 0, err
    owner = json.loads(out)
    assert owner["name"] == "acme"
    code, out, err = await run(
        "token", "create", "--owner", "acme", "--name", "ci", "--scope", "read",
        "--expires-in", "30d", env=env,
    )  # fmt: skip
    assert code == 0, err
    shown, secret = out.strip().splitlines()
    token = json.loads(shown)
    assert secret.startswith("gqlm_") and secret not in shown
    assert token["scopes"] == ["read"] and token["expiresAt"]
    code, out, err = await run("token", "list", env=env)
    assert code == 0 and token["id"] in out and secret not in out + err
    code, out, err = await run("token", "revoke", token["id"], env=env)
    assert code == 0 and json.loads(out)["revokedAt"]
    # Bad input: one line, no traceback, nothing created.
    for args in (
        ("owner", "create", "acme"),
        ("token", "create", "--owner", "nobody", "--name", "x"),
        ("token", "create", "--owner", "acme", "--name", "x", "--expires-in", "1y"),
        ("token", "revoke", "not-an-id"),
    ):
        code, out, err = await run(*args, env=env)
        assert code != 0 and "Traceback" not in err and err.startswith("error: "), err
    code, out, _ = await run("token", "list", env=env)
    assert len(out.strip().splitlines()) == 1


async def test_serve_on_a_public_address_without_tokens_refuses(
    tmp_path: Path,
) -> None:
    env = env_for(tmp_path / "data", HOST="0.0.0.0", PORT=str(free_port()))
    code, _, err = await run("serve", env=env)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "GQL_MEDIA_AUTH__ALLOW_ANONYMOUS" in lines[0], err
    assert "0.0.0.0" in lines[0]
    env["GQL_MEDIA_REDIS_URL"] = "redis://127.0.0.1:1/0"
    env["HOST"] = "127.0.0.1"
    code, _, err = await run("serve", env=env)
    assert code != 0 and "distributed mode" in err, err


async def test_serve_with_anonymous_access_allowed_starts_and_warns(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = env_for(
        tmp_path / "data",
        HOST="0.0.0.0",
        PORT=str(port),
        GQL_MEDIA_AUTH__ALLOW_ANONYMOUS="true",
    )
    code, _, err = await run("migrate", env=env)
    assert code == 0, err
    proc = await asyncio.create_subprocess_exec(
        str(BIN), "serve", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(
            verify=TLS, base_url=f"http://127.0.0.1:{port}"
        ) as client:
            async with asyncio.timeout(30):
                while True:
                    try:
                        response = await client.post(
                            "/graphql", json={"query": "{ viewer { owner } }"}
                        )
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
        assert response.json()["data"]["viewer"]["owner"] == "local"
    finally:
        proc.terminate()
        _, err_bytes = await proc.communicate()
    assert "WARNING" in err_bytes.decode() and "anonymous access is allowed" in (
        err_bytes.decode()
    )
