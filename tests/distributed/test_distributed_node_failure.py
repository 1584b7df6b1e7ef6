"""A worker node dies mid-job on a real multi-node Ray cluster; the job finishes on another node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_job_on_a_removed_node_is_retried_on_another_node(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, str(HERE / "node_failure.py"), str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["started_on"] == out["first_node"]
    assert out["finished_on"] != out["first_node"]
    assert out["generations"] == 1 and out["bytes_ok"]
