"""The web studio in real headless Chromium (Debian ``chromium`` driven by Playwright).

Screenshots go to ``$GENLOOM_SCREENSHOTS`` (default: the test's tmp dir) and are
checked to be real renders (non-blank PNGs of the right size).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def check_screenshot(path: Path, size: tuple[int, int]) -> None:
    from PIL import Image, ImageStat

    with Image.open(path) as img:
        assert img.size == size
        spread = ImageStat.Stat(img.convert("L")).stddev[0]
        assert spread > 10, f"{path} looks blank"


@pytest.fixture
def page(live_server: Any) -> Any:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        pg = browser.new_page(viewport={"width": 1200, "height": 800})
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(live_server.url + "/")
        yield pg
        browser.close()
        assert not errors, errors


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("GENLOOM_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _png_asset() -> str:
    import io

    from PIL import Image, ImageDraw

    from genloom.api import record_files

    img = Image.new("RGB", (256, 256), (245, 240, 230))
    draw = ImageDraw.Draw(img)
    draw.ellipse((40, 40, 216, 216), fill=(230, 80, 60))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    _, ids, _ = record_files(kind="image", task="image", model_id="test-painter", prompt="a red sun",
                             params={"size": "256x256"}, seed=11,
                             files=[{"data": buf.getvalue(), "mime": "image/png", "ext": ".png"}])
    return ids[0]


def test_create_runs_a_job_and_shows_code(page: Any, fake_model: Any, shots: Path) -> None:
    page.wait_for_selector("#status-dot.ok")
    fake_model.enqueue("Here it is:\n```python\ndef add(a, b):\n    return a + b  # sum\n```\nDone.")
    page.select_option("#mode", "code")
    page.fill("#prompt", "a python function that adds two numbers")
    page.click("#run-btn")
    page.wait_for_selector("[data-testid=job-status].succeeded", timeout=15000)
    page.wait_for_selector("[data-testid=result] [data-testid=code]")
    code = page.inner_text("[data-testid=result] [data-testid=code]")
    assert "def add(a, b):" in code
    assert page.locator("[data-testid=result] .tok-k").count() >= 2  # highlighted keywords
    assert page.locator("[data-testid=step] .state.succeeded").count() == 1
    page.screenshot(path=str(shots / "studio-create.png"))
    check_screenshot(shots / "studio-create.png", (1200, 800))


def test_chat_streams_a_reply(page: Any, fake_model: Any, shots: Path) -> None:
    fake_model.enqueue("Hello! I am a local model running on your machine.")
    page.click("button[data-tab=chat]")
    page.fill("#chat-input", "Who are you?")
    page.click("#chat-send")
    page.wait_for_function(
        "document.querySelector('[data-testid=msg-assistant]')?.textContent.includes('your machine')")
    assert page.inner_text("[data-testid=msg-user]") == "Who are you?"
    messages, _ = fake_model.history[-1]
    assert messages[-1].content == "Who are you?"
    page.screenshot(path=str(shots / "studio-chat.png"))
    check_screenshot(shots / "studio-chat.png", (1200, 800))


def test_gallery_shows_provenance(page: Any, shots: Path) -> None:
    asset_id = _png_asset()
    page.click("button[data-tab=gallery]")
    tile = page.locator(f"[data-testid=tile][data-id={asset_id}]")
    tile.wait_for()
    tile.click()
    page.wait_for_selector("[data-testid=provenance]")
    prov = page.inner_text("[data-testid=provenance]")
    assert "a red sun" in prov and "test-painter" in prov and "11" in prov
    # the image really loaded (natural size known only after decoding)
    page.wait_for_function("document.querySelector('#asset-detail img')?.naturalWidth === 256")
    page.screenshot(path=str(shots / "studio-gallery.png"))
    check_screenshot(shots / "studio-gallery.png", (1200, 800))


def test_plan_then_run_shows_steps_and_results(page: Any, fake_model: Any, shots: Path) -> None:
    import importlib

    brain = importlib.import_module("genloom.brain")
    if not hasattr(brain, "execute"):
        pytest.skip("the brain is not installed")
    fake_model.enqueue(*["Crisp leaves drift down,\namber light on quiet roads,\nautumn breathes slowly."] * 6)
    page.wait_for_selector("#status-dot.ok")
    page.fill("#prompt", "a short poem about autumn with a matching picture")
    page.click("#plan-btn")
    page.wait_for_selector("[data-testid=plan-steps] li")
    plan_text = page.inner_text("#plan")
    assert "why this tool" in plan_text and "image" in plan_text
    page.click("#run-btn")
    page.wait_for_selector("[data-testid=job-status].succeeded, [data-testid=job-status].failed", timeout=90000)
    assert page.text_content("[data-testid=job-status]") == "succeeded"
    steps = page.locator("[data-testid=step]").count()
    assert steps >= 2 and page.locator("[data-testid=step] .state.succeeded").count() == steps
    page.wait_for_selector("[data-testid=result][data-kind=image] img")
    page.wait_for_function("document.querySelector('[data-testid=result][data-kind=image] img').naturalWidth > 0")
    assert "amber light" in page.inner_text("#results")
    page.screenshot(path=str(shots / "studio-plan-run.png"), full_page=True)
    check_screenshot(shots / "studio-plan-run.png", (1200, page.evaluate("document.documentElement.scrollHeight")))


def test_studio_asks_for_the_api_key(monkeypatch: pytest.MonkeyPatch, fake_model: Any, shots: Path) -> None:
    from playwright.sync_api import sync_playwright
    from server_testutil import LiveServer, make_app

    monkeypatch.setenv("GENLOOM_API_KEYS", "studio-key")
    asset_id = _png_asset()
    with LiveServer(make_app()) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        page.goto(server.url + "/")
        page.wait_for_selector("#key-dialog[open]")
        assert "API key needed" in page.inner_text("#status-text")
        page.fill("#key-input", "studio-key")
        page.click("#key-save")
        page.wait_for_selector("#status-dot.ok")
        page.click("button[data-tab=gallery]")
        page.wait_for_selector(f"[data-testid=tile][data-id={asset_id}] img")
        # the thumbnail is a signed URL: it loads without a bearer header
        page.wait_for_function("document.querySelector('[data-testid=tile] img').naturalWidth === 256")
        page.screenshot(path=str(shots / "studio-key.png"))
        browser.close()
    check_screenshot(shots / "studio-key.png", (1000, 700))


def test_dropped_files_become_the_requests_inputs(page: Any, fake_model: Any, shots: Path, tmp_path: Path) -> None:
    page.wait_for_selector("#status-dot.ok")
    notes = tmp_path / "notes.md"
    notes.write_text("The launch moves to March. Priya owns billing.\n")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.7 not text")
    # A file genloom cannot read is refused at once, with its name; nothing is added.
    page.set_input_files("#file-input", str(bad))
    page.wait_for_selector("#create-note.error")
    assert "scan.pdf" in page.inner_text("#create-note") and "PDF" in page.inner_text("#create-note")
    assert page.locator("[data-testid=input-chip]").count() == 0
    page.set_input_files("#file-input", str(notes))
    page.wait_for_selector("[data-testid=input-chip]")
    assert "notes.md (text)" in page.inner_text("[data-testid=inputs]")
    page.fill("#prompt", "summarize the attached notes")
    page.click("#plan-btn")
    page.wait_for_selector("[data-testid=plan-steps] li")
    assert "notes.md (text)" in page.inner_text("#plan")
    page.screenshot(path=str(shots / "studio-inputs.png"), full_page=True)
    check_screenshot(shots / "studio-inputs.png", (1200, page.evaluate("document.documentElement.scrollHeight")))
