"""Words given once after a colon, spoken by one part and printed by another, on the real generators."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from genloom.cli import cli
from genloom.testing import checks

pytestmark = pytest.mark.e2e

WORDS = "Fresh coffee every morning"


def test_the_voice_says_and_the_card_prints_the_words_after_the_colon(tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        out = CliRunner().invoke(cli, ["run", f"say this warmly and print it on a card: {WORDS}", "-o", "kit",
                                       "--no-llm"])
    finally:
        os.chdir(cwd)
    assert out.exit_code == 0, out.output
    files = sorted((tmp_path / "kit").iterdir())
    audio = [f for f in files if f.suffix == ".wav"]
    card = [f for f in files if f.suffix == ".png"]
    assert len(audio) == 1 and len(card) == 1, [f.name for f in files]
    assert checks.word_recall(WORDS, checks.spoken_text(audio[0])) >= 0.75
    assert checks.printed_recall(WORDS, checks.printed_text(card[0])) >= 0.75
