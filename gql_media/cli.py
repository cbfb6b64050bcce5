"""The `gql-media` command: serve, migrate, export-schema, import, worker, cleanup,
owner, token."""

import argparse
import asyncio
import json
import logging
import os
import sys
from typing import Any

from gql_media import cli_accounts, datadir_lock, db, startup
from gql_media.datadir_lock import DataDirInUse
from gql_media.errors import GqlMediaError
from gql_media.kit import logs
from gql_media.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gql-media", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve GraphQL (and GraphiQL)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    commands.add_parser("migrate", help="apply the database migrations")
    commands.add_parser("export-schema", help="print the schema in SDL")
    imp = commands.add_parser("import", help="import a URL or a local file")
    imp.add_argument("source", metavar="URL_OR_PATH")
    imp.add_argument("--name")
    imp.add_argument("--tag", action="append", default=[], dest="tags")
    commands.add_parser("worker", help="run a job worker (distributed mode)")
    pubs = commands.add_parser("publications", help="the publishing ledger")
    pub_commands = pubs.add_subparsers(dest="publications_command", required=True)
    export = pub_commands.add_parser("export", help="print every publication")
    export.add_argument("--format", choices=("csv", "jsonl"), default="jsonl")
    export.add_argument("--owner", help="only this owner's publications")
    cli_accounts.add_commands(commands)
    clean = commands.add_parser(
        "cleanup", help="remove stray stored files, mark rows whose file is missing"
    )
    clean.add_argument("--dry-run", action="store_true", help="report only")

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "export-schema":
        from gql_media.resolvers.root import build_schema

        print(build_schema().as_str())
        return 0
    startup.warn_unknown_variables()
    try:
        return _run(args, startup.load_settings())
    except (startup.StartupError, GqlMediaError, DataDirInUse) as exc:
        match exc:
            case startup.StartupError():
                lines = exc.lines
            case GqlMediaError():
                lines = [f"{exc.code}: {exc.message}"]
            case _:
                lines = [str(exc)]
        for line in lines:
            print(f"error: {line}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one command; StartupError, DataDirInUse and GqlMediaError are printed
    by the caller as one line each."""
    logs.configure(settings.log.format, settings.log.level, settings.secrets())
    match args.command:
        case "serve":
            return _serve(settings, args.host, args.port)
        case "migrate":
            startup.check_data_dir(settings)
            asyncio.run(startup.check_database(settings.db_url))
            asyncio.run(db.migrate(settings.db_url))
            return 0
        case "import":
            from gql_media.cli_import import check_source, run_import

            check_source(args.source)
            _prepare(settings, "import")
            asset = asyncio.run(run_import(settings, args.source, args.name, args.tags))
            print(json.dumps(asset, indent=2, default=str))
            return 0 if asset.get("status") == "READY" else 1
        case "publications":
            from gql_media.cli_publications import export

            asyncio.run(export(settings, args.format, sys.stdout, args.owner))
            return 0
        case "cleanup":
            from gql_media.cli_cleanup import run_cleanup

            report = asyncio.run(run_cleanup(settings, args.dry_run))
            print(json.dumps(report, indent=2))
            return 0 if report["status"] == "SUCCEEDED" else 1
        case "owner" | "token":
            startup.check_data_dir(settings)
            asyncio.run(startup.check_database(settings.db_url))
            return asyncio.run(cli_accounts.run(args, settings))
        case "worker":
            if not settings.redis_url:
                print(
                    "gql-media worker runs jobs of the distributed mode: set "
                    "GQL_MEDIA_REDIS_URL (in the embedded mode `gql-media serve` "
                    "runs jobs in-process).",
                    file=sys.stderr,
                )
                return 2
            from gql_media.arq_worker import run

            _prepare(settings, "worker")
            run()
            return 0
    return 2  # pragma: no cover - argparse rejects unknown commands


def _prepare(settings: Settings, command: str) -> None:
    """Take the data dir (embedded mode) and check it and the database before
    anything writes, so a bad setting is one line rather than a traceback."""
    if not settings.redis_url:
        # Held until this process exits; the kernel drops it on a crash too.
        try:
            datadir_lock.acquire(settings.data_dir, command)
        except OSError:
            startup.check_data_dir(settings)  # says which directory, and why
            raise
    startup.check_data_dir(settings)
    asyncio.run(startup.check_database(settings.db_url))


def _serve(settings: Settings, host: str, port: int) -> int:
    anonymous = startup.check_access(settings, host)
    _prepare(settings, "serve")
    if anonymous:
        log = logging.getLogger("gql_media.auth")
        if settings.auth.allow_anonymous:
            log.warning(anonymous)
        else:
            log.info(anonymous)
    if settings.public_base_url is None:
        # Absolute links to /files/ work from a frontend on another origin.
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        settings.public_base_url = f"http://{shown}:{port}"
    import uvicorn

    from gql_media.app import create_app
    from gql_media.gc_tuning import tune_gc

    app = create_app(settings)
    tune_gc(settings.gc_gen0_threshold)  # after start-up's imports and schema
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log.level.lower(),
        log_config=None,  # uvicorn's lines go through our handler (kit.logs)
        **uvicorn_options(settings),
    )
    return 0


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options our settings decide (`serve`, the benchmarks)."""
    return {
        # The protocol layer refuses a bigger WebSocket message before assembling
        # it in memory; the view checks each message against the same cap.
        "ws_max_size": settings.limits.max_request_bytes,
        "ws_per_message_deflate": settings.ws_per_message_deflate,
    }


if __name__ == "__main__":
    sys.exit(main())
