"""Built-in backends and models, registered through the plugin hooks.

Adding a backend: write ``genloom/backends/NAME.py`` with a ``factory`` (and
optionally ``detect``/``status``), then add one line to ``register_backends``.
"""

from __future__ import annotations

from typing import Any

from genloom.plugins import hookimpl


@hookimpl
def register_backends(register: Any) -> None:
    from genloom.backends import embedded, gguf_runtime, llama_cpp, minilm, transformers_text

    def llama_status(card: Any) -> str:
        if card.options.get("parts") or card.options.get("package_file"):
            return embedded.status(card)
        from pathlib import Path

        return "installed" if card.path and Path(card.path).exists() else "missing"

    # One backend name for GGUF cards; the runtime (xllamacpp, else llama-cpp-python)
    # is chosen when the model loads: see genloom.backends.gguf_runtime.
    register("llama-cpp", gguf_runtime.factory, detect=llama_cpp.detect, status=llama_status,
             description="GGUF language models via llama.cpp (xllamacpp with continuous batching, "
                         "or llama-cpp-python)")
    register("transformers", transformers_text.factory, detect=transformers_text.detect,
             description="Hugging Face transformers causal LMs (local dir or hub id)")
    register("minilm-onnx", minilm.factory, status=minilm.status,
             description="MiniLM sentence embeddings on onnxruntime")
    from genloom.backends import kokoro_onnx, musicgen, openai_remote, whisper

    register("openai-remote", openai_remote.factory, status=openai_remote.status,
             description="any OpenAI-compatible endpoint (Ollama, vLLM, LocalAI, genloom, hosted APIs)")
    register("kokoro-onnx", kokoro_onnx.factory, detect=kokoro_onnx.detect, status=kokoro_onnx.status,
             description="Kokoro-82M voices on onnxruntime (kokoro-onnx)")
    register("musicgen", musicgen.factory, detect=musicgen.detect, status=musicgen.status,
             description="MusicGen text-to-music via transformers")
    register("whisper", whisper.factory, detect=whisper.detect, status=whisper.status,
             description="Whisper transcription via faster-whisper (CTranslate2 int8) or transformers")
    from genloom.backends import composer, diffusers_image, slideshow_video

    register("slideshow", slideshow_video.factory, status=slideshow_video.status,
             description="genloom's clip maker: animated composed scenes and slideshows (MP4/GIF)")
    register("composer", composer.factory, status=composer.status,
             description="genloom's offline scene composer (vector art + type)")
    register("diffusers", diffusers_image.factory, detect=diffusers_image.detect, status=diffusers_image.status,
             description="Hugging Face diffusers text-to-image pipelines (local dir or hub id)")

    from genloom.backends import bach_composer, hibari_tts, piper_tts, pocketsphinx_stt

    register("hibari-tts", hibari_tts.factory, status=hibari_tts.status, description="hibari-tts English voices (ONNX)")
    register("piper", piper_tts.factory, detect=piper_tts.detect, status=piper_tts.status,
             description="Piper VITS voices (.onnx + .onnx.json)")
    register("pocketsphinx", pocketsphinx_stt.factory, status=pocketsphinx_stt.status,
             description="PocketSphinx offline English transcription")
    register("bach-composer", bach_composer.factory, detect=bach_composer.detect, status=bach_composer.status,
             description="genloom's chorale-trained composer (MIDI + WAV)")
    from genloom.backends import procedural_sound

    register("procedural-sound", procedural_sound.factory, status=procedural_sound.status,
             description="genloom's procedural ambiences, noises and UI effects (numpy DSP)")


@hookimpl
def register_models(register: Any) -> None:
    from genloom.backends import embedded, minilm

    embedded.register(register)
    register(minilm.CARD)
    from genloom.backends import composer, diffusers_image, slideshow_video

    composer.register(register)
    diffusers_image.register(register)
    slideshow_video.register(register)
    from genloom.backends import bach_composer, hibari_tts, piper_tts, pocketsphinx_stt

    for card in (hibari_tts.CARD, piper_tts.JOE, pocketsphinx_stt.CARD, bach_composer.CARD):
        register(card)
    from genloom.backends import whisper_ct2

    whisper_ct2.register(register)  # Whisper base (default transcriber) and tiny.en, from PyPI packages
    from genloom.backends import procedural_sound

    register(procedural_sound.CARD)
    # Keep last: a pulled model's card (with its local path) replaces a built-in
    # card of the same id that only names a hub repo.
    from genloom.backends.openai_remote import register_remotes
    from genloom.catalog.pull import register_pulled

    register_pulled(register)  # models fetched with 'genloom pull'
    register_remotes(register)  # endpoints added with 'genloom models add-remote'
