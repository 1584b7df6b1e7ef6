"""``genloom image`` and ``genloom video`` from the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner
from PIL import Image

from genloom.cli import cli


def test_image_command_writes_png(outdir):
    out = outdir / "jazz.png"
    res = CliRunner().invoke(cli, ["image", "a poster for a jazz night", "-o", str(out), "--size", "768x512",
                                   "--seed", "7"])
    assert res.exit_code == 0, res.output
    assert str(out) in res.output
    assert Image.open(out).size == (768, 512)


def test_image_command_n_and_json(outdir):
    out = outdir / "p.png"
    res = CliRunner().invoke(cli, ["image", "a sticker of a sleepy panda", "-o", str(out), "-n", "2", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["kind"] == "image" and len(data["paths"]) == 2
    assert all((outdir / f"p-{i}.png").exists() for i in (1, 2))


def test_image_command_bad_size(outdir):
    res = CliRunner().invoke(cli, ["image", "a cat", "-o", str(outdir / "c.png"), "--size", "100000x100000"])
    assert res.exit_code == 1
    assert "out of range" in res.output
    assert list(outdir.iterdir()) == []


def test_video_command(outdir):
    out = outdir / "v.mp4"
    res = CliRunner().invoke(cli, ["video", "a spinning globe", "-o", str(out), "--seconds", "1", "--fps", "8",
                                   "--size", "96x96"])
    assert res.exit_code == 0, res.output
    assert out.exists() and out.stat().st_size > 1000


def test_help_lists_commands():
    res = CliRunner().invoke(cli, ["--help"])
    assert "image" in res.output and "video" in res.output


def test_video_command_takes_the_contract_flags(outdir):
    """--format, --shot, --name, --narrate, --no-captions and --no-music reach the video maker."""
    from genloom.video.encode import probe

    out = outdir / "reel.mp4"
    res = CliRunner().invoke(cli, ["video", "a promo", "-o", str(out), "--format", "tiktok", "--seconds", "1",
                                   "--fps", "2", "--shot", "bread", "--shot", "a door", "--no-captions",
                                   "--no-music", "--name", "Crumb", "--json"])
    assert res.exit_code == 0, res.output
    meta = json.loads(res.output)["meta"]
    assert meta["size"] == [1080, 1920] and meta["shots"] == 2 and meta["captions"] is False
    assert probe(out)["size"] == (1080, 1920) and not probe(out)["audio"]


def test_video_command_bad_aspect_is_one_line(outdir):
    res = CliRunner().invoke(cli, ["video", "x", "-o", str(outdir / "v.mp4"), "--aspect", "wide"])
    assert res.exit_code == 1 and "9:16" in res.output
    assert list(outdir.iterdir()) == []
