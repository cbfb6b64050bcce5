"""SigV4 for S3 parts whose SHA-256 is already known.

Over plain HTTP (an S3-compatible store on a private network) botocore signs
each request's payload: before sending a part it reads the part's whole body
and hashes it, on the event loop. `S3Storage` computes a part's SHA-256 in a
thread together with its CRC32 (one read, `file_part.part_digests`) and hangs it
on the body, so this signer takes it from there instead of reading the part
again. The signature is the one botocore would compute; over HTTPS botocore's
own rules apply unchanged.
"""

from typing import Any

import botocore.auth
from botocore.auth import S3SigV4Auth
from botocore.handlers import set_operation_specific_signer

SIGNATURE_VERSION = "s3v4-known-payload"


class KnownPayloadS3SigV4Auth(S3SigV4Auth):
    """S3's SigV4 signer, taking the payload hash from a body that carries it
    (`FilePart.payload_sha256`)."""

    def payload(self, request: Any) -> str:
        known = getattr(request.body, "payload_sha256", None)
        if (
            known
            and not self._is_streaming_checksum_payload(request)
            and self._should_sha256_sign_payload(request)
        ):
            return str(known)
        return str(super().payload(request))


# botocore finds signers by name in this table; a name of our own adds one.
botocore.auth.AUTH_TYPE_MAPS.setdefault(SIGNATURE_VERSION, KnownPayloadS3SigV4Auth)


def _choose_signer(
    signature_version: str, context: dict[str, Any], signing_name: str, **_: Any
) -> str | None:
    if not isinstance(signature_version, str) or signature_version.endswith(
        ("-query", "-presign-post")
    ):
        return None  # presigned part URLs (direct uploads) are signed as before
    # What botocore's own handler would choose (it also sets the context's
    # payload flags); ours answers first, so it asks it. Any signer other
    # than plain S3 SigV4 is left as chosen.
    chosen = set_operation_specific_signer(context=context, signing_name=signing_name)
    if (chosen or signature_version) == "s3v4":
        return SIGNATURE_VERSION
    return chosen


def use_known_payloads(client: Any) -> None:
    """Sign the `UploadPart` requests of `client` with `KnownPayloadS3SigV4Auth`."""
    client.meta.events.register("choose-signer.s3.UploadPart", _choose_signer)
