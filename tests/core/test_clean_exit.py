"""A process that exits while a sequence is still decoding exits cleanly, not with an abort."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = [pytest.mark.e2e]

SCRIPT = textwrap.dedent("""
    import threading, time
    from genloom.text.api import chat

    decoding = threading.Event()

    def go():
        for _ in chat("Write a very long story about a dragon.", model="smollm2-135m", max_tokens=2000):
            decoding.set()

    threading.Thread(target=go, daemon=True).start()
    assert decoding.wait(120)
    time.sleep(0.5)
    print("exiting", flush=True)
""")


def test_exit_while_decoding_is_clean() -> None:
    pytest.importorskip("xllamacpp")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=180,
                          env={**os.environ})
    assert "exiting" in proc.stdout, proc.stderr[-2000:]
    # 134 is SIGABRT: llama.cpp's loop killed inside C++ by the interpreter's exit
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "exception not rethrown" not in proc.stderr
