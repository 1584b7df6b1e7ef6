"""Server fixtures: an in-process TestClient and a real uvicorn server on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from server_testutil import LiveServer, make_app


@pytest.fixture
def client(fake_model: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(make_app()) as c:
        yield c


@pytest.fixture
def live_server(fake_model: Any) -> Iterator[LiveServer]:
    with LiveServer(make_app()) as server:
        yield server
