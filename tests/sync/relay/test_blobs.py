"""Attachment blobs: the standard tuspy client, resuming, checksums and ranged download."""

from __future__ import annotations

import io
import os

import pytest
import requests
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError

from sync.client.relay_http import RelayError
from tests.sync.relay.conftest import Op, RelayProcess


def test_tuspy_creation_upload_and_resume(relay: RelayProcess, op: Op) -> None:
    member = relay.client(op.people["part"])
    data = os.urandom(300_000)
    # tuspy sends its client headers on every request: a signature for the one creation POST.
    tus = TusClient(member.blobs_url(op.id), headers=member.tus_creation_headers(op.id))
    uploader = tus.uploader(file_stream=io.BytesIO(data), chunk_size=64 * 1024)
    uploader.upload(stop_at=128 * 1024)  # then the connection "breaks"
    upload_url = uploader.url
    head = requests.head(upload_url, headers={"Tus-Resumable": "1.0.0"}, timeout=10)
    assert head.status_code == 200 and int(head.headers["Upload-Offset"]) == 128 * 1024
    blob_id = head.headers["Cordon-Blob-Id"]
    # A fresh tuspy uploader resumes from the offset the relay reports.
    resumed = TusClient(member.blobs_url(op.id)).uploader(
        file_stream=io.BytesIO(data), url=upload_url, chunk_size=100_000
    )
    assert resumed.offset == 128 * 1024
    resumed.upload()
    reader = relay.client(op.people["obs"])
    assert reader.download_blob(op.id, blob_id) == data
    assert reader.download_blob(op.id, blob_id, 1000, 1999) == data[1000:2000]
    assert reader.download_blob(op.id, blob_id, start=299_000) == data[299_000:]


def test_own_client_upload_with_checksum(relay: RelayProcess, op: Op) -> None:
    member = relay.client(op.people["part"])
    data = os.urandom(2 * 1024 * 1024 + 17)
    blob_id = member.upload_blob(op.id, data, chunk_size=1024 * 1024)
    assert relay.client(op.people["coord"]).download_blob(op.id, blob_id) == data
    # Resuming with a known upload URL: nothing left to send, same blob.
    url, blob = member.create_upload(op.id, 10)
    assert member.upload_offset(relay.url + url) == 0
    assert member.upload_blob(op.id, b"0123456789", upload_url=relay.url + url) == blob


def test_upload_refusals(relay: RelayProcess, op: Op) -> None:
    member = relay.client(op.people["part"])
    # tuspy with a signature that was already used: replay refused.
    headers = member.tus_creation_headers(op.id)
    TusClient(member.blobs_url(op.id), headers=headers).uploader(
        file_stream=io.BytesIO(b"abc"), chunk_size=10
    ).upload()
    with pytest.raises(TusCommunicationError):
        TusClient(member.blobs_url(op.id), headers=headers).uploader(
            file_stream=io.BytesIO(b"abc"), chunk_size=10
        ).upload()
    # Observers post no content, attachments included.
    with pytest.raises(RelayError) as refused:
        relay.client(op.people["obs"]).create_upload(op.id, 10)
    assert refused.value.status == 403
    url, _blob = member.create_upload(op.id, 4, bytes(32))
    patch = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream"}
    wrong = requests.patch(
        relay.url + url, data=b"ab", headers={**patch, "Upload-Offset": "1"}, timeout=10
    )
    assert wrong.status_code == 409
    too_long = requests.patch(
        relay.url + url, data=b"abcdef", headers={**patch, "Upload-Offset": "0"}, timeout=10
    )
    assert too_long.status_code == 413
    bad_sum = requests.patch(
        relay.url + url, data=b"abcd", headers={**patch, "Upload-Offset": "0"}, timeout=10
    )
    assert bad_sum.status_code == 400 and bad_sum.json()["error"] == "checksum_mismatch"
    unknown = url[: -len("x")] + ("A" if not url.endswith("A") else "B")
    assert requests.head(relay.url + unknown, timeout=10).status_code == 404
    with pytest.raises(RelayError) as refused:
        member.create_upload(op.id, 10**15)
    assert refused.value.status == 413
    options = requests.options(member.blobs_url(op.id), timeout=10)
    assert options.headers["Tus-Version"] == "1.0.0"
    assert "creation" in options.headers["Tus-Extension"]
