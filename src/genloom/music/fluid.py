"""FluidSynth in process (libfluidsynth through ctypes), the soundfont loaded once.

The ``fluidsynth`` program spends about a second loading FluidR3_GM (141 MB)
before it plays a note, on every call; here the synthesizer and its soundfont
stay loaded in the process, so a warm 30-second render is synthesis only. The
MIDI file is played by FluidSynth's own player on the sample clock (offline,
faster than real time), on two synthesis threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from genloom.errors import GenerationFailed

if TYPE_CHECKING:
    import numpy as np

_BLOCK = 4096
_lib: ctypes.CDLL | None = None
_lib_checked = False
_synths: dict[tuple[str, int], _Synth] = {}
_lock = threading.Lock()


def library() -> ctypes.CDLL | None:
    """libfluidsynth (Debian ``libfluidsynth3``), or None when it is not installed."""
    global _lib, _lib_checked
    if _lib_checked:
        return _lib
    _lib_checked = True
    name = ctypes.util.find_library("fluidsynth")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    p, i, c, d, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_double, ctypes.c_size_t
    for fn, args, res in (
        ("new_fluid_settings", [], p), ("fluid_settings_setnum", [p, c, d], i), ("fluid_settings_setint", [p, c, i], i),
        ("fluid_settings_setstr", [p, c, c], i), ("new_fluid_synth", [p], p), ("fluid_synth_sfload", [p, c, i], i),
        ("new_fluid_player", [p], p), ("fluid_player_add_mem", [p, p, s], i), ("fluid_player_play", [p], i),
        ("delete_fluid_player", [p], None), ("fluid_synth_system_reset", [p], i),
        ("fluid_synth_write_float", [p, i, p, i, i, p, i, i], i),
    ):
        func = getattr(lib, fn)
        func.argtypes, func.restype = args, res
    _lib = lib
    return lib


class _Synth:
    def __init__(self, lib: ctypes.CDLL, sf2: Path, rate: int):
        self.lib, self.rate = lib, rate
        self.settings = lib.new_fluid_settings()
        lib.fluid_settings_setnum(self.settings, b"synth.sample-rate", float(rate))
        lib.fluid_settings_setnum(self.settings, b"synth.gain", 0.6)
        lib.fluid_settings_setint(self.settings, b"synth.cpu-cores", 2)
        lib.fluid_settings_setstr(self.settings, b"player.timing-source", b"sample")
        lib.fluid_settings_setint(self.settings, b"synth.lock-memory", 0)
        self.synth = lib.new_fluid_synth(self.settings)
        if not self.synth or lib.fluid_synth_sfload(self.synth, str(sf2).encode(), 1) < 0:
            raise GenerationFailed(f"FluidSynth could not load the soundfont {sf2}",
                                   hint="check the .sf2 file, or set GENLOOM_NO_FLUIDSYNTH=1")
        self.lock = threading.Lock()

    def render(self, midi: bytes, seconds: float) -> np.ndarray:
        import numpy as np

        n = int(round(seconds * self.rate))
        left, right = np.zeros(n, np.float32), np.zeros(n, np.float32)
        buf = ctypes.create_string_buffer(midi, len(midi))
        with self.lock:
            lib = self.lib
            lib.fluid_synth_system_reset(self.synth)  # no voice or controller of the last piece survives
            player = lib.new_fluid_player(self.synth)
            try:
                if lib.fluid_player_add_mem(player, ctypes.cast(buf, ctypes.c_void_p), len(midi)) != 0:
                    raise GenerationFailed("FluidSynth rejected the MIDI file", hint="set GENLOOM_NO_FLUIDSYNTH=1")
                lib.fluid_player_play(player)
                for start in range(0, n, _BLOCK):
                    k = min(_BLOCK, n - start)
                    lp = ctypes.c_void_p(left.ctypes.data + 4 * start)
                    rp = ctypes.c_void_p(right.ctypes.data + 4 * start)
                    lib.fluid_synth_write_float(self.synth, k, lp, 0, 1, rp, 0, 1)
            finally:
                lib.delete_fluid_player(player)
                lib.fluid_synth_system_reset(self.synth)
        return np.stack([left, right], axis=1)


def render(midi: bytes, sf2: Path, seconds: float, rate: int) -> np.ndarray:
    """``seconds`` of stereo float32 audio of ``midi`` played with ``sf2``."""
    lib = library()
    if lib is None:
        raise GenerationFailed("libfluidsynth is not installed", hint="apt-get install libfluidsynth3")
    key = (str(sf2), rate)
    with _lock:
        synth = _synths.get(key)
        if synth is None:
            synth = _synths[key] = _Synth(lib, sf2, rate)
    return synth.render(midi, seconds)
