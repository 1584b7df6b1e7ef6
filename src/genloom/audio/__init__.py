"""Audio shared by the speech, music and transcription generators.

* :mod:`genloom.audio.wav`: decoding any audio file, encoding WAV (with an
  AI-generated label in its INFO chunk), FLAC, OGG and MP3; streaming headers.
* :mod:`genloom.audio.dsp`: resampling and click-free joining of clips.
* :mod:`genloom.audio.label`: the machine-readable AI label, in-file and sidecar.
* :mod:`genloom.audio.speech`: ``synthesize`` / ``stream`` text to speech.
* :mod:`genloom.audio.transcribe`: ``transcribe`` speech to text.
"""
