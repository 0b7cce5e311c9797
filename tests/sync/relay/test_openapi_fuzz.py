"""schemathesis over /openapi.json: generated requests (signed by a real member) never get a 5xx."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import cbor2
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sync.primitives.identity import Identity
from sync.protocol.auth import sign_request
from tests.sync.relay.conftest import RelayProcess, make_operation

# Bodies for the binary media types: random bytes, and CBOR close to what the relay wants.
_CBOR_BODIES = st.one_of(
    st.binary(max_size=2048),
    st.lists(st.binary(max_size=512), max_size=5).map(cbor2.dumps),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.binary(max_size=64) | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=10,
    ).map(cbor2.dumps),
)
schemathesis.openapi.media_type("application/cbor", _CBOR_BODIES)
schemathesis.openapi.media_type("application/offset+octet-stream", st.binary(max_size=4096))


class SignAll(requests.auth.AuthBase):
    """Signs each prepared request exactly as sent, so fuzzing reaches past authentication."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        assert isinstance(body, bytes)
        request.headers.update(
            sign_request(self.identity, request.method or "GET", parts.path, parts.query, body)
        )
        return request


def test_generated_requests_never_get_a_server_error(
    relay: RelayProcess, people: dict[str, Identity]
) -> None:
    op = make_operation(relay, people)
    schema = schemathesis.openapi.from_url(relay.url + "/openapi.json")
    session = requests.Session()
    session.auth = SignAll(people["coord"])
    errors: list[str] = []
    statuses: Counter[int] = Counter()
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/events"):
            continue  # an endless stream; covered by test_api.test_server_sent_events
        closing = operation.path == "/v1/operations/{operation_id}"
        if operation.method.upper() == "DELETE" and closing:
            continue  # closing would end the fuzzing early; covered by test_close_operation

        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            nonlocal checked
            if case.path_parameters and "operation_id" in case.path_parameters:
                case.path_parameters["operation_id"] = op.id.hex()
            if case.query and "wait" in case.query:
                case.query["wait"] = 0
            response = case.call(base_url=relay.url, session=session, timeout=15)
            checked += 1
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        run()
    assert checked > 100
    assert errors == []
    # Signed by a real coordinator, the fuzzing gets past authentication into the handlers.
    assert sum(n for status, n in statuses.items() if status < 300) > 20, statuses
    assert statuses[400] > 20, statuses
