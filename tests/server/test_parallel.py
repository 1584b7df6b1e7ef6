"""Admission for models that decode several sequences at once (continuous batching)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from server_testutil import LiveServer, make_app

from genloom.server.queue import Gate

CHAT = "/v1/chat/completions"


def test_gate_units_are_served_in_order_without_overtaking() -> None:
    async def scenario() -> None:
        gate = Gate("m", slots=4, max_waiting=8)
        assert await gate.acquire(3) == 3
        big = asyncio.ensure_future(gate.acquire(2))  # 3 + 2 > 4: waits
        small = asyncio.ensure_future(gate.acquire(1))  # would fit, but must not overtake `big`
        await asyncio.sleep(0)
        assert not big.done() and not small.done() and gate.active == 3
        gate.release(0.1, 3)
        await asyncio.wait_for(asyncio.gather(big, small), 1)
        assert gate.active == 3 and not gate.waiters
        gate.release(0.1, 2)
        gate.release(0.1, 1)
        assert await asyncio.wait_for(gate.acquire(9), 1) == 4  # capped at the gate's size
        assert gate.active == 4

    asyncio.run(scenario())


def test_gate_grows_to_the_models_parallelism() -> None:
    async def scenario() -> None:
        gate = Gate("m", slots=1, max_waiting=8)
        await gate.acquire()
        waiter = asyncio.ensure_future(gate.acquire())
        await asyncio.sleep(0)
        assert not waiter.done()
        gate.resize(2)  # the model loaded with two slots: the waiter goes in at once
        await asyncio.wait_for(waiter, 1)
        assert gate.active == 2

    asyncio.run(scenario())


@pytest.fixture
def parallel_fake(fake_model: Any) -> Any:
    """The fake model with two slots; each generation waits until two run at the same time."""
    from genloom.models.registry import get_registry

    fake_model.parallel = 2
    get_registry().load("fake")
    together = threading.Barrier(2, timeout=10)
    original = fake_model.chat_stream

    def chat_stream(messages: Any, params: Any) -> Any:
        together.wait()  # raises BrokenBarrierError if the server runs them one at a time
        return original(messages, params)

    fake_model.chat_stream = chat_stream  # type: ignore[method-assign]
    return fake_model


def test_k_requests_run_at_once_and_the_next_one_queues(parallel_fake: Any) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}]}
    with LiveServer(make_app()) as server:
        with httpx.Client(timeout=30) as client:
            results: list[int] = []
            threads = [threading.Thread(target=lambda: results.append(
                client.post(server.url + CHAT, json=body).status_code)) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            assert results == [200] * 4
            queue = next(q for q in client.get(server.url + "/v1/status").json()["queues"] if q["model"] == "fake")
            assert queue["slots"] == 2 and queue["served"] == 4


def test_n_choices_share_the_batch(parallel_fake: Any) -> None:
    with LiveServer(make_app()) as server:
        r = httpx.post(server.url + CHAT, json={"messages": [{"role": "user", "content": "hi"}], "n": 2},
                       timeout=30)
        assert r.status_code == 200, r.text
        assert [c["index"] for c in r.json()["choices"]] == [0, 1]
        with httpx.stream("POST", server.url + CHAT, json={"messages": [{"role": "user", "content": "hi"}],
                                                           "n": 2, "stream": True}, timeout=30) as s:
            text = s.read().decode()
        assert '"index":0' in text and '"index":1' in text and text.rstrip().endswith("[DONE]")
