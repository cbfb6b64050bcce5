"""Resumable uploads (/uploads/, tus) authenticate like /graphql: a bearer token,
its owner, and its scopes."""

import json

import httpx

from tests.accounts.support import make_account, token_for
from tests.conftest import Server
from tests.support.graphql import bearer
from tests.support.tls import TLS

TUS = {"Tus-Resumable": "1.0.0", "Upload-Length": "10"}


async def test_tus_needs_a_token_with_write_and_acts_for_its_owner(
    server: Server,
) -> None:
    a = await make_account("owner-a")
    b = await make_account("owner-b")
    reader = await token_for(a, ["read"])
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        missing = await http.post("/uploads/", headers=TUS)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        forbidden = await http.post("/uploads/", headers={**TUS, **bearer(reader)})
        assert forbidden.status_code == 403
        assert list(server.settings.tmp_dir.glob("tus-*")) == []
        created = await http.post("/uploads/", headers={**TUS, **bearer(a.token)})
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        (record,) = server.settings.tmp_dir.glob("tus-*.json")
        assert json.loads(record.read_text())["owner_id"] == a.owner_id
        # B reads A's upload as unknown; A's own token sees it.
        tus = {"Tus-Resumable": "1.0.0"}
        theirs = await http.head(location, headers={**tus, **bearer(b.token)})
        unknown = await http.head(
            location.rsplit("/", 1)[0] + "/" + "0" * 32,
            headers={**tus, **bearer(b.token)},
        )
        assert theirs.status_code == unknown.status_code == 404
        mine = await http.head(location, headers={**tus, **bearer(a.token)})
        assert mine.status_code == 200
        gone = await http.delete(location, headers={**tus, **bearer(a.token)})
        assert gone.status_code == 204
