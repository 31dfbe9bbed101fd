"""``slant train credibility`` and ``slant evaluate credibility``.

Data: the four CSVs of ``shared/data/news`` (README section 2). Rows without a binary
label or with fewer than :data:`MIN_WORDS` words after shortcut stripping are left
out; near-duplicates are collapsed to one row per ``dup_group`` and groups whose
copies carry conflicting labels are dropped. The target is 1 = reliable
(``1 - label_binary``).

Evaluation is of the training procedure, never of the shipped model on its own
training rows:

(a) ``random``: 5-fold cross-validation, folds stratified by label and grouped by
    ``dup_group`` (one row per group after de-duplication);
(b) ``grouped``: leave one source out (train on three corpora, test on the fourth;
    whole publishers and labelling schemes unseen), pooled over the four.

In each training fold a fifth of the groups is held back to fit the Platt scaling;
the regression is then refitted on the whole fold.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..credibility import MIN_WORDS, Z_CLIP
from .claims import default_data_dir
from . import nonempty_path

NEWS_FILES = ("buzzfeed_webis_2016", "fakenewsnet_v1", "horne2017", "isot_sample5pct")
SEED = 7
C_DEFAULT = 256.0
#: smoothing of the NB log-count ratios that scale the text columns in the fit (0 = plain logistic regression)
NB_ALPHA = 0.1
#: features whose source text was damaged in a corpus: masked (set to the mean) for its rows in training.
#: ISOT's scrape removed most quotation marks (96 % of its Fake rows have none).
MASKED = {"isot_sample5pct": ("quotation_share",)}
#: columns of the news CSVs that training and evaluation read
COLUMNS = ("id", "source_dataset", "label_binary", "title", "text", "publisher", "author", "dup_group")
#: what ``--data`` must be, for error messages
DATA_DIR_HELP = "the folder of the news CSVs (shared/data/news)"
#: folds of the random split: each label needs at least this many articles
N_FOLDS = 5


def check_usable(df: Any, data_dir: Path) -> None:
    """Raise when ``df`` (from :func:`read_news`) cannot be cross-validated: each corpus needs an
    article and each label :data:`N_FOLDS` of them (else scikit-learn fails deep inside a fold).

    Raises:
        InputError: E101, naming the corpus or folder.
    """
    from ..errors import InputError

    for src in NEWS_FILES:
        if not (df["source_dataset"] == src).any():
            raise InputError(f"[E101] {data_dir / (src + '.csv')}: no labelled article of {MIN_WORDS} words or more "
                             f"(label_binary 0 or 1, source_dataset {src})")
    reliable = int(df["y"].sum())
    unreliable = len(df) - reliable
    if min(reliable, unreliable) < N_FOLDS:
        raise InputError(f"[E101] {data_dir}: too few labelled articles to cross-validate ({reliable} reliable, "
                         f"{unreliable} unreliable after de-duplication; at least {N_FOLDS} of each needed)")


def read_news(data_dir: Path, *, files: tuple[str, ...] = NEWS_FILES, log=print) -> Any:
    """Labelled, de-duplicated articles with their features.

    Args:
        data_dir: the folder of the news CSVs.
        files: which of :data:`NEWS_FILES` to read.

    Returns:
        DataFrame with ``id, source_dataset, publisher, dup_group, y (1 = reliable),
        feats (ArticleFeatures)``, one row per ``dup_group``.
    Raises:
        InputError: ``data_dir`` or a CSV is missing (E106), a CSV is empty (E101), binary
            (E102), not a CSV (E107) or lacks one of :data:`COLUMNS` (E110).
    """
    import pandas as pd

    from ..credibility import article_features
    from ..evaluation.inputs import need_files, read_csv
    from ..normalize import normalize

    frames = [read_csv(path, COLUMNS) for path in need_files(data_dir, [f"{f}.csv" for f in files], DATA_DIR_HELP)]
    df = pd.concat(frames, ignore_index=True)
    df = df[df["label_binary"].isin(["0", "1"])].copy()
    df["y"] = 1 - df["label_binary"].astype(int)
    conflicting = df.groupby("dup_group")["y"].nunique()
    bad = set(conflicting[conflicting > 1].index)
    log(f"{len(df)} labelled rows; dropping {len(bad)} dup_groups with conflicting labels")
    df = df[~df["dup_group"].isin(bad)].sort_values("id").drop_duplicates("dup_group")
    feats = []
    for title, text, pub, author in zip(df["title"], df["text"], df["publisher"], df["author"]):
        article = f"{title.strip()}\n\n{text}" if title.strip() else text
        names = tuple(n for n in (pub, author) if n and not n.startswith("http"))
        feats.append(article_features(normalize(article).text, names=names))
    df["feats"] = feats
    df = df[[f.n_words >= MIN_WORDS for f in feats]]
    log(f"{len(df)} articles after de-duplication and the {MIN_WORDS}-word minimum")
    return df.reset_index(drop=True)


def _style_matrix(df: Any) -> Any:
    import numpy as np

    from ..credibility import STYLE_FEATURES

    S = np.vstack([f.vector() for f in df["feats"]])
    mask = np.isnan(S)  # undefined for the text (no headline): the mean, as in use
    for src, names in MASKED.items():
        rows = (df["source_dataset"] == src).to_numpy()
        for name in names:
            mask[rows, STYLE_FEATURES.index(name)] = True
    return S, mask


def count_matrices(df: Any) -> tuple[Any, Any]:
    """Raw hashed counts (word block, char block) of every row's :func:`~slant.credibility.model_text`,
    each sparse (len(df), n_features). Computed once per data set; folds slice them."""
    from ..credibility import make_vectorizers, model_text

    word, char = make_vectorizers()
    texts = [model_text(f.text) for f in df["feats"]]
    return word.transform(texts).tocsr(), char.transform(texts).tocsr()


def fit_model(df: Any, *, C: float = C_DEFAULT, seed: int = SEED, counts: tuple[Any, Any] | None = None) -> Any:
    """Fit the NB-scaled logistic regression on 80 % of ``df``'s groups, Platt-scale on the other
    20 %, then refit the regression (and the idf and NB ratios) on all rows, keeping that Platt scaling.

    Args:
        counts: :func:`count_matrices` of ``df`` when already computed.
    Returns:
        :class:`~slant.credibility.CredibilityModel`.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold

    counts = counts or count_matrices(df)
    y = df["y"].to_numpy()
    fit_idx, cal_idx = next(StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(df, y, df["dup_group"]))
    S, mask = _style_matrix(df)
    first = _fit_lr(df, S, mask, counts, fit_idx, C=C, seed=seed)
    z = first.logits(first.weigh(counts[0][cal_idx], counts[1][cal_idx]), S[cal_idx])
    platt = LogisticRegression(C=1e6).fit(z.reshape(-1, 1), y[cal_idx])
    final = _fit_lr(df, S, mask, counts, np.arange(len(df)), C=C, seed=seed)
    return type(final)(**{**final.__dict__, "platt": (float(platt.coef_[0, 0]), float(platt.intercept_[0]))})


def _fit_lr(df: Any, S: Any, mask: Any, counts: tuple[Any, Any], rows: Any, *, C: float, seed: int) -> Any:
    """Uncalibrated model fitted on ``rows`` of ``df`` (idf and NB ratios from those rows; masked style
    cells set to the mean)."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    from ..credibility import CredibilityModel, fit_idf

    Wc, Cc = counts[0][rows], counts[1][rows]
    n = Wc.shape[1]
    fit_S, fit_mask = S[rows], mask[rows]
    mean = np.array([fit_S[~fit_mask[:, j], j].mean() for j in range(S.shape[1])])
    scale = np.array([fit_S[~fit_mask[:, j], j].std() for j in range(S.shape[1])]) + 1e-6
    Z = np.clip((np.where(fit_mask, mean, fit_S) - mean) / scale, -Z_CLIP, Z_CLIP)
    # idf rounded as it is stored (float32), so the saved model scores exactly as the fitted one
    idf_w, idf_c = (fit_idf(M).astype(np.float32).astype(np.float64) for M in (Wc, Cc))
    blank = CredibilityModel(w_word=np.zeros(n), w_char=np.zeros(n), w_style=np.zeros(S.shape[1]), style_mean=mean,
                             style_scale=scale, intercept=0.0, word_mean=0.0, char_mean=0.0, platt=(1.0, 0.0), n_features=n,
                             idf_word=idf_w, idf_char=idf_c)
    X = blank.weigh(Wc, Cc)
    y = df["y"].to_numpy()[rows]
    # NB-LR (Wang & Manning 2012): each text column scaled by its log-count ratio r in the fit;
    # the saved weight is w * r, so the model scores the unscaled TF-IDF rows exactly the same.
    r = np.concatenate([nb_ratio(X[:, :n], y, NB_ALPHA), nb_ratio(X[:, n:], y, NB_ALPHA)]) if NB_ALPHA else np.ones(2 * n)
    lr = LogisticRegression(C=C, solver="liblinear", max_iter=500, random_state=seed).fit(
        sp.hstack([X @ sp.diags(r), sp.csr_matrix(Z)]).tocsr(), y)
    w = lr.coef_[0].copy()
    w[:2 * n] *= r
    return CredibilityModel(
        w_word=w[:n], w_char=w[n:2 * n], w_style=w[2 * n:], style_mean=mean, style_scale=scale,
        intercept=float(lr.intercept_[0]), word_mean=float(np.mean(X[:, :n] @ w[:n])),
        char_mean=float(np.mean(X[:, n:] @ w[n:2 * n])), platt=(1.0, 0.0), n_features=n, idf_word=idf_w, idf_char=idf_c)


def nb_ratio(X: Any, y: Any, alpha: float) -> Any:
    """Log-count ratio per column of the TF-IDF rows ``X`` (n, m) with labels ``y`` (1 = reliable):
    ``ln((alpha + sum_reliable) / |.|_1) - ln((alpha + sum_unreliable) / |.|_1)``, shape (m,)."""
    import numpy as np

    pos = alpha + np.asarray(X[y == 1].sum(axis=0)).ravel()
    neg = alpha + np.asarray(X[y == 0].sum(axis=0)).ravel()
    return np.log(pos / pos.sum()) - np.log(neg / neg.sum())


def predict(model: Any, df: Any, counts: tuple[Any, Any] | None = None) -> Any:
    """Calibrated P(reliable) for each row of ``df`` (style features as in use: no masking).

    Args:
        counts: :func:`count_matrices` of ``df`` when already computed.
    """
    S, _ = _style_matrix(df)
    X = model.weigh(*counts) if counts else model.text_matrix([f.text for f in df["feats"]])
    return model.calibrate(model.logits(X, S))


def metrics(y: Any, p: Any, bins: int = 10) -> dict[str, Any]:
    """accuracy and macro-F1 (at 0.5), Brier score, and ECE over ``bins`` equal-width bins."""
    import numpy as np
    from sklearn.metrics import accuracy_score, brier_score_loss, f1_score

    y, p = np.asarray(y), np.asarray(p)
    pred = (p >= 0.5).astype(int)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    ece = sum(abs(p[which == b].mean() - y[which == b].mean()) * (which == b).mean() for b in range(bins) if (which == b).any())
    return {"n": int(len(y)), "accuracy": round(float(accuracy_score(y, pred)), 4),
            "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
            "brier": round(float(brier_score_loss(y, p)), 4), "ece": round(float(ece), 4)}


def _by_source(df: Any, p: Any) -> dict[str, Any]:
    return {src: metrics(df["y"][m], p[m.to_numpy()]) for src in NEWS_FILES if (m := df["source_dataset"] == src).any()}


def evaluate_procedure(df: Any, *, C: float = C_DEFAULT, counts: tuple[Any, Any] | None = None,
                       log=print) -> dict[str, Any]:
    """(a) grouped 5-fold CV and (b) leave-one-source-out scores of :func:`fit_model` on ``df``.

    ``counts`` (:func:`count_matrices` of ``df``) is computed once here when not given and
    sliced per fold; the idf is refitted on each training fold.
    """
    import numpy as np
    from sklearn.model_selection import StratifiedGroupKFold

    y = df["y"].to_numpy()
    counts = counts or count_matrices(df)

    def run(tr: Any, te: Any) -> Any:
        part = lambda rows: (counts[0][rows], counts[1][rows])  # noqa: E731
        model = fit_model(df.iloc[tr].reset_index(drop=True), C=C, counts=part(tr))
        return predict(model, df.iloc[te].reset_index(drop=True), counts=part(te))

    p = np.zeros(len(df))
    for k, (tr, te) in enumerate(StratifiedGroupKFold(5, shuffle=True, random_state=SEED).split(df, y, df["dup_group"])):
        p[te] = run(tr, te)
        log(f"random split fold {k + 1}/5 done")
    random = {**metrics(y, p), "sources": _by_source(df, p)}
    q = np.zeros(len(df))
    for src in NEWS_FILES:
        te = (df["source_dataset"] == src).to_numpy()
        q[te] = run(np.flatnonzero(~te), np.flatnonzero(te))
        log(f"grouped split: {src} held out")
    grouped = {**metrics(y, q), "sources": _by_source(df, q)}
    return {**{k: random[k] for k in ("n", "accuracy", "macro_f1", "brier", "ece")},
            "split": "random (5-fold, grouped by dup_group)", "random": random,
            "grouped": {**grouped, "split": "leave one source out"}}


def train_credibility(data_dir: Path, out_dir: Path, *, C: float = C_DEFAULT, log=print) -> dict[str, Any]:
    """Evaluate the procedure, then fit on all rows and save model + scores in ``out_dir``."""
    return train_frame(read_news(data_dir, log=log), out_dir, C=C, log=log)


def train_frame(df: Any, out_dir: Path, *, C: float = C_DEFAULT, log=print) -> dict[str, Any]:
    """:func:`train_credibility` on the articles ``df`` already read by :func:`read_news`."""
    import sklearn

    from .. import __version__

    counts = count_matrices(df)
    scores = evaluate_procedure(df, C=C, counts=counts, log=log)
    model = fit_model(df, C=C, counts=counts)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir, {
        "model_id": "credibility-v3", "slant_version": __version__, "sklearn_version": sklearn.__version__,
        "trained_on": [f"{f}.csv" for f in NEWS_FILES], "seed": SEED, "C": C, "nb_alpha": NB_ALPHA, "n_articles": int(len(df)),
        "masked": {k: list(v) for k, v in MASKED.items()}, "scores": scores,
    })
    return scores


def _print(scores: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(scores, indent=2))
        return
    keys = ("n", "accuracy", "macro_f1", "brier", "ece")
    print(f"{'split / source':34s} " + " ".join(f"{k:>9s}" for k in keys))
    for split in ("random", "grouped"):
        s = scores[split]
        print(f"{split:34s} " + " ".join(f"{s[k]:>9}" for k in keys))
        for src, t in s["sources"].items():
            print(f"  {src:32s} " + " ".join(f"{t[k]:>9}" for k in keys))


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add ``slant train credibility`` and ``slant evaluate credibility``."""

    def _run(d: Path, step: Any) -> Any:
        """``step()``, with scikit-learn's refusal of too small a data set as one error line."""
        from ..cli import fail

        try:
            return step()
        except ValueError as exc:  # e.g. a fold with one label only: the data is too small or one-sided
            raise fail(f"[E101] {d}: too few usable articles for the procedure ({' '.join(str(exc).split())})") from None

    def _read(data: Path | None) -> tuple[Path, Any]:
        """The folder and the articles of ``--data`` (or of the default folder), or exit with one error line."""
        from ..cli import fail
        from ..errors import SlantError

        d = data or default_data_dir("news")
        if data is None and not all((d / f"{f}.csv").is_file() for f in NEWS_FILES):
            raise fail(f"{d}: missing one of {', '.join(NEWS_FILES)} (.csv); give --data DIR (shared/data/news)", 2)
        try:
            df = read_news(d, log=lambda m: print(m, file=sys.stderr))
            check_usable(df, d)
        except SlantError as exc:  # E1xx naming the user's path
            raise fail(str(exc)) from None
        return d, df

    @train.command("credibility")
    def train_cmd(
        data: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="Folder of the news CSVs (shared/data/news).")] = None,
        out: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="Write the model here (default: the package's models/credibility).")] = None,
    ) -> None:
        """Rebuild the credibility model and print its cross-validated scores (random and leave-one-source-out)."""
        out_dir = out or Path(__file__).resolve().parents[1] / "models" / "credibility"
        d, df = _read(data)
        _print(_run(d, lambda: train_frame(df, out_dir, log=lambda m: print(m, file=sys.stderr))), "text")

    @evaluate.command("credibility")
    def evaluate_cmd(
        data: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="Folder of the news CSVs (default: ../shared/data/news).")] = None,
        format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    ) -> None:
        """Accuracy, macro-F1, Brier and ECE of the training procedure on (a) a random grouped split and
        (b) a leave-one-source-out split (top-level keys are (a))."""
        from ..cli import fail

        if format not in ("text", "json"):
            raise fail(f"--format {format}: use text or json", 2)
        d, df = _read(data)
        _print(_run(d, lambda: evaluate_procedure(df, log=lambda m: print(m, file=sys.stderr))), format)
