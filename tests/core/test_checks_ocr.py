"""The OCR comparison the fidelity checks use: lenient about display type, strict about the words."""

from __future__ import annotations

import pytest

from genloom.testing.checks import printed_recall


@pytest.mark.parametrize(("expected", "read", "recall"), [
    ("TOP 5 HIKES", "TOPS HIKES", 1.0),  # a bold 5 read as S, run into the word before it
    ("SALE 50% OFF", "SALE SO% OFF", 1.0),
    ("Grand Opening", "Grand Opening", 1.0),
    ("TOP 6 HIKES", "TOPS HIKES", 1 / 3),  # another digit is another word
    ("Fresh Bread", "Fresh Brea", 0.5),
    ("OPEN LATE", "", 0.0),
])
def test_printed_recall(expected: str, read: str, recall: float) -> None:
    assert printed_recall(expected, read) == pytest.approx(recall)
