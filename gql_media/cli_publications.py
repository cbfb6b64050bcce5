"""`gql-media publications export`: the ledger as CSV or JSON lines, on stdout."""

import csv
import json
from typing import TextIO

from gql_media import db
from gql_media.services.publishing.queries import EXPORT_FIELDS, export_rows
from gql_media.settings import Settings


async def export(
    settings: Settings, fmt: str, out: TextIO, owner_id: str | None = None
) -> int:
    """Write every publication (of `owner_id`, or all), oldest first; returns the
    number of rows. Reads in batches, so the ledger never sits whole in memory."""
    await db.connect(settings.db_url)
    count = 0
    try:
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        async for row in export_rows(owner_id):
            if writer is not None:
                writer.writerow({**row, "hashtags": " ".join(row["hashtags"] or [])})
            else:
                out.write(json.dumps(row, separators=(",", ":")) + "\n")
            count += 1
    finally:
        await db.close()
    return count
