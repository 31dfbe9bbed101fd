"""``slant train claims`` and ``slant evaluate claims``: the check-worthiness model.

Training reads the CSVs of ``shared/data/claims`` (ClaimBuster, CLEF CheckThat!
2019/2021 debates, 2021/2022 tweets; layout in that folder's README, section 4).
The held-out part used by ``slant evaluate claims`` without ``--data`` is fixed by
hashing: whole debate documents for the CheckThat! debate files (so that ``map`` is a
mean over unseen debates), ``dup_group`` for ClaimBuster and tweets; every row
sharing a ``dup_group`` with a held-out row is out of training. A further
``dup_group``-hashed tenth of the rest calibrates (Platt) on its ClaimBuster rows.

LIAR's train statements (``shared/data/liar``, Wang, ACL 2017: every one a statement PolitiFact
chose to fact-check) join training as positives under ClaimBuster's bias, each weighing
:data:`LIAR_WEIGHT`: the debates and tweets have few short causal or health claims
("Immigration drives down wages"), the kind fact-checkers check in news. LIAR's valid
statements are the carry-over check ``slant evaluate claims`` prints (recall at 0.5).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from . import nonempty_path

SOURCES = ("claimbuster", "checkthat2019_t1_en", "checkthat2021_t1b_en", "checkthat2021_t1a_en", "checkthat2022_t1a_en")
DEBATE_SOURCES = ("checkthat2019_t1_en", "checkthat2021_t1b_en")
SEED = 13
#: sample weight of a LIAR statement in training: the largest of 1, 0.25 and 0.1 that kept the
#: ClaimBuster *calibration* part's average precision within 0.01 of training without LIAR
#: (0.766 -> 0.759; 0.25: 0.749, 1: 0.728). Chosen on that part, not on the held-out test part.
LIAR_WEIGHT = 0.1
#: LIAR files: train joins training, valid is the carry-over check
LIAR_FILES = ("train.tsv", "valid.tsv")


def _bucket(key: str, n: int) -> int:
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % n


def default_data_dir(sub: str) -> Path:
    """``$SLANT_SHARED/data/<sub>``, else the first of ``../shared/data/<sub>``, ``./shared/data/<sub>``."""
    if os.environ.get("SLANT_SHARED"):
        return Path(os.environ["SLANT_SHARED"]) / "data" / sub
    for base in (Path.cwd().parent, Path.cwd(), Path(__file__).resolve().parents[4]):
        if (base / "shared" / "data" / sub).is_dir():
            return base / "shared" / "data" / sub
    return Path("../shared/data") / sub


#: columns of the claims CSVs that training and evaluation read
COLUMNS = ("source_dataset", "text", "label", "dup_group", "debate")
#: what ``--data`` of ``slant train claims`` must be, for error messages
DATA_DIR_HELP = "the folder of the claims CSVs (shared/data/claims)"


def read_claims(data_dir: Path) -> Any:
    """All claim rows of the five source CSVs in ``data_dir`` as one DataFrame.

    Columns used: ``source_dataset, text, label (int), dup_group, debate``.
    Raises:
        InputError: ``data_dir`` or a source CSV is missing (E106), a CSV is empty (E101),
            binary (E102), not a CSV (E107), lacks a column (E110) or has a label other
            than 0 or 1 (E107).
    """
    import pandas as pd

    from ..evaluation.inputs import check_labels, need_files, read_csv

    frames = []
    for path in need_files(data_dir, [f"{s}.csv" for s in SOURCES], DATA_DIR_HELP):
        frame = read_csv(path, COLUMNS)
        check_labels(frame, path, "label")
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True)
    df["label"] = df["label"].astype(int)
    return df


def text_key(text: str) -> str:
    """Lower-cased letters and digits of ``text``, single-spaced: equal for copies that differ in
    case, punctuation or spacing (how LIAR statements are matched against the claims rows)."""
    import re

    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def read_liar(path: Path) -> Any:
    """LIAR statements of one file (``train.tsv`` or ``valid.tsv`` of ``shared/data/liar``) as a
    DataFrame with columns ``text`` and ``truth`` (PolitiFact's six-way rating).

    PolitiFact's paraphrase opener ``Says (that)`` is dropped and the first letter capitalised,
    so a statement reads as the claim itself ("Says the flu shot ..." -> "The flu shot ...").
    Read with quoting off (some statements hold an unbalanced ``"``; data README section 3).

    Raises:
        InputError: the file is missing or a folder (E106), empty or without a statement (E101),
            binary (E102), undecodable (E104), or a line does not have LIAR's 14 columns (E107).
    """
    import csv
    import io
    import re

    import pandas as pd

    from ..errors import InputError
    from ..evaluation.inputs import read_text

    if not path.exists():
        raise InputError(f"[E106] {path}: no such file (the LIAR folder, shared/data/liar, holds train.tsv and valid.tsv)")
    text_of_file = read_text(path, "a LIAR .tsv file")
    rows = []
    for n, row in enumerate(csv.reader(io.StringIO(text_of_file, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE), 1):
        if not row:
            continue
        if len(row) != 14:
            raise InputError(f"[E107] {path}, line {n}: {len(row)} tab-separated columns, LIAR has 14")
        text = re.sub(r"^Says (?:that )?", "", row[2].strip())
        if text:
            rows.append((text[0].upper() + text[1:], row[1]))
    if not rows:
        raise InputError(f"[E101] {path}: no LIAR statement in it")
    return pd.DataFrame(rows, columns=["text", "truth"])


def split_claims(df: Any) -> Any:
    """Add a ``part`` column: ``test`` (held out), ``cal`` (calibration), ``train`` or ``drop``.

    Test: per CheckThat! debate file, the fifth of its documents (at least 2) that
    come first when sorted by md5(debate); other rows with md5(dup_group) % 5 == 0. Cal: md5(dup_group) % 10 == 1 of the rest. A row sharing a
    ``dup_group`` with a test (or cal) row is dropped from the later parts.
    """
    is_debate = df["source_dataset"].isin(DEBATE_SOURCES)
    held_debates = set()
    for src in DEBATE_SOURCES:
        names = sorted(set(df.loc[df["source_dataset"] == src, "debate"]), key=lambda d: hashlib.md5(d.encode()).hexdigest())
        held_debates.update(names[: max(2, round(0.2 * len(names)))])
    test = (is_debate & df["debate"].isin(held_debates)) | (~is_debate & df["dup_group"].map(lambda g: _bucket(g, 5) == 0))
    test_groups = set(df.loc[test, "dup_group"])
    cal = ~test & df["dup_group"].map(lambda g: _bucket("cal" + g, 10) == 1)
    cal_groups = set(df.loc[cal, "dup_group"])
    part = []
    for is_test, is_cal, g in zip(test, cal, df["dup_group"]):
        if is_test:
            part.append("test")
        elif g in test_groups:
            part.append("drop")
        elif is_cal:
            part.append("cal")
        elif g in cal_groups:
            part.append("drop")
        else:
            part.append("train")
    return df.assign(part=part)


def parse_texts(texts: list[str], name: str, cache_dir: Path | None = None) -> list[Any]:
    """Tag + NER ``texts`` with slant's pipeline (parser off: the claim features do not
    use it), caching one DocBin per (name, texts, pipeline) under ``cache_dir``."""
    from spacy.tokens import DocBin

    from ..nlp import get_nlp

    nlp = get_nlp()
    root = cache_dir or Path(os.environ.get("SLANT_CACHE", Path(tempfile.gettempdir()) / "slant-cache-claims"))
    key = hashlib.sha256(f"{nlp.meta['name']}-{nlp.meta['version']}".encode())
    for t in texts:
        key.update(hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest())
    path = root / f"{name}-{key.hexdigest()[:16]}.spacy"
    if path.exists():
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    bin_ = DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE", "SPACY"])
    docs = []
    with nlp.select_pipes(disable=[p for p in ("parser", "lemmatizer") if p in nlp.pipe_names]):
        for doc in nlp.pipe(texts, batch_size=256):
            bin_.add(doc)
            docs.append(doc)
    root.mkdir(parents=True, exist_ok=True)
    bin_.to_disk(path)
    return docs


def parse_claims(df: Any) -> list[Any]:
    """Parsed sentence per row of :func:`read_claims`'s frame (one cached DocBin per source file)."""
    docs: list[Any] = [None] * len(df)
    for src in SOURCES:
        idx = [i for i, s in enumerate(df["source_dataset"]) if s == src]
        for i, doc in zip(idx, parse_texts([df["text"].iat[i] for i in idx], src)):
            docs[i] = doc
    return docs


def featurize(docs: list[Any]) -> tuple[list[str], Any]:
    """Texts and dense feature matrix (n, d) of parsed sentences."""
    import numpy as np

    from ..claims import DENSE_FEATURES, dense_features

    dense = np.vstack([dense_features(d[:]) for d in docs]) if docs else np.zeros((0, len(DENSE_FEATURES)))
    return [d.text for d in docs], dense


def train_claims(data_dir: Path, out_dir: Path, *, liar_dir: Path | None = None, C: float = 0.5,
                 log=print) -> dict[str, Any]:
    """Train, calibrate and save the claims model; return the held-out scores.

    Args:
        data_dir: folder with the five claims CSVs.
        out_dir: where ``model.npz`` and ``meta.json`` are written.
        liar_dir: LIAR folder (``train.tsv`` joins training, :data:`LIAR_WEIGHT`; ``valid.tsv`` is
            scored as the carry-over check); None trains without it (the shipped model used it).
        C: inverse L2 strength of the logistic regression.
    Raises:
        InputError: a file of ``data_dir`` or ``liar_dir`` is missing or malformed (E1xx).
    """
    import numpy as np
    import scipy.sparse as sp
    import sklearn
    from sklearn.linear_model import LogisticRegression

    from ..claims import INFERENCE_SOURCE, ClaimModel, make_vectorizers

    df = split_claims(read_claims(data_dir))
    # LIAR's files are read before the long parse, so a bad folder fails at once
    liar_train = read_liar(liar_dir / LIAR_FILES[0]) if liar_dir is not None else None
    liar_valid = unseen_statements(read_liar(liar_dir / LIAR_FILES[1]), liar_train) if liar_dir is not None else None
    log(f"parsing {len(df)} sentences (cached under $SLANT_CACHE or <tmp>/slant-cache-claims)")
    df["doc"] = parse_claims(df)
    df = df[df["part"] != "drop"]
    # one row per (source, dup_group) in training: a repeated sentence counts once, positive if any copy is
    train = df[df["part"] == "train"].groupby(["source_dataset", "dup_group"], as_index=False, sort=True).agg(
        doc=("doc", "first"), label=("label", "max"))
    weight = np.ones(len(train))
    if liar_dir is not None:
        import pandas as pd

        # a statement PolitiFact checked can be a debate line of the held-out or calibration part
        # (11 are in the test part): those stay out of training
        held = {text_key(t) for t in df.loc[df["part"] != "train", "text"]}
        statements = [t for t in liar_train["text"] if text_key(t) not in held]
        log(f"adding {len(statements)} LIAR statements as positives (weight {LIAR_WEIGHT}, ClaimBuster's bias)")
        liar = pd.DataFrame({"source_dataset": INFERENCE_SOURCE, "dup_group": [f"liar-{i}" for i in range(len(statements))],
                             "doc": parse_texts(statements, "liar-train"), "label": 1})
        train = pd.concat([train, liar], ignore_index=True)
        weight = np.concatenate([weight, np.full(len(liar), LIAR_WEIGHT)])
    cal = df[(df["part"] == "cal") & (df["source_dataset"] == INFERENCE_SOURCE)]
    log(f"train {len(train)} rows, calibration {len(cal)} ClaimBuster rows")
    texts, dense = featurize(train["doc"].tolist())
    mean, scale = dense.mean(0), dense.std(0) + 1e-6
    word, char = make_vectorizers()
    src_index = {s: i for i, s in enumerate(SOURCES)}
    onehot = sp.csr_matrix(
        (np.ones(len(train)), (np.arange(len(train)), train["source_dataset"].map(src_index))), shape=(len(train), len(SOURCES))
    )
    X = sp.hstack([word.transform(texts), char.transform(texts), sp.csr_matrix((dense - mean) / scale), onehot]).tocsr()
    y = train["label"].to_numpy()
    log(f"fitting logistic regression on {X.shape}")
    lr = LogisticRegression(C=C, solver="liblinear", max_iter=200, random_state=SEED).fit(X, y, sample_weight=weight)
    w = lr.coef_[0]
    n = word.n_features
    d = len(mean)
    bias = {s: float(lr.intercept_[0] + w[2 * n + d + i]) for s, i in src_index.items()}
    model = ClaimModel(w_word=w[:n], w_char=w[n:2 * n], w_dense=w[2 * n:2 * n + d], dense_mean=mean,
                       dense_scale=scale, bias=bias, platt=(1.0, 0.0), n_features=n)
    cal_texts, cal_dense = featurize(cal["doc"].tolist())
    z = model.logits(cal_texts, cal_dense)
    platt = LogisticRegression(C=1e6).fit(z.reshape(-1, 1), cal["label"].to_numpy())
    model = ClaimModel(**{**model.__dict__, "platt": (float(platt.coef_[0, 0]), float(platt.intercept_[0]))})
    scores = evaluate_frame(df[df["part"] == "test"], model, name="test")
    if liar_dir is not None:
        scores["carry_over"] = liar_recall(liar_valid, model, data=f"liar/{LIAR_FILES[1]}")
    out_dir.mkdir(parents=True, exist_ok=True)
    from .. import __version__

    model.save(out_dir, {
        "model_id": "claims-v2" if liar_dir is not None else "claims-v1", "slant_version": __version__,
        "sklearn_version": sklearn.__version__,
        "trained_on": [f"{s}.csv" for s in SOURCES] + (["liar/train.tsv"] if liar_dir is not None else []),
        "liar_weight": LIAR_WEIGHT if liar_dir is not None else None, "seed": SEED, "C": C,
        "inference_source": INFERENCE_SOURCE, "n_train": int(len(train)), "n_cal": int(len(cal)), "heldout_scores": scores,
    })
    return scores


def unseen_statements(valid: Any, train: Any | None) -> Any:
    """The rows of LIAR's ``valid`` (:func:`read_liar`) whose statement does not repeat one of
    ``train`` (7 do; :func:`text_key` equality), so the carry-over check scores no statement the
    model learnt; ``valid`` itself when ``train`` is None."""
    if train is None:
        return valid
    seen = {text_key(t) for t in train["text"]}
    return valid[[text_key(t) not in seen for t in valid["text"]]].reset_index(drop=True)


def liar_recall(statements: Any, model: Any, *, data: str) -> dict[str, Any]:
    """Carry-over check: the share of LIAR ``statements`` (:func:`read_liar` rows, each one
    PolitiFact fact-checked, so each check-worthy) that ``model`` scores >= 0.5, overall and
    per PolitiFact rating; ``data`` names them in the result.

    Returns:
        ``{"data": data, "n": int, "recall": float, "by_rating": {rating: recall}}``.
    """
    texts, dense = featurize(parse_texts(statements["text"].tolist(), "liar-valid"))
    hit = model.predict_proba(texts, dense) >= 0.5
    truth = statements["truth"].to_numpy()
    ratings = ("pants-fire", "false", "barely-true", "half-true", "mostly-true", "true")
    return {"data": data, "n": int(len(hit)), "recall": round(float(hit.mean()), 4),
            "by_rating": {r: round(float(hit[truth == r].mean()), 4) for r in ratings if (truth == r).any()}}


#: what ``--data`` of ``slant evaluate claims`` must be, for error messages
EVAL_DATA_HELP = "a CSV file in the layout of shared/data/claims"


def check_fields(path: Path, text: str) -> None:
    """No data row of the CSV ``text`` (of file ``path``) has more fields than its header.

    pandas reads such a row by shifting its columns (an unquoted comma in a text, as in
    "3,5 por ciento", makes the label the third field), so the error it leads to blames another
    row or column. Rows are counted from 1 after the header, skipping blank lines, as
    :func:`slant.evaluation.inputs.check_labels` counts them.

    Raises:
        InputError: the first such row, with its line and its field count (E107).
    """
    import csv
    import io

    from ..errors import InputError

    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            return
        row, last_line = 0, reader.line_num
        for record in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if not record:  # a blank line: pandas skips it
                continue
            row += 1
            if len(record) > len(header):
                raise InputError(
                    f"[E107] {path} row {row} (line {first_line}): {len(record)} fields, but the header "
                    f"({','.join(header)}) has {len(header)}; put a text that holds a comma in double quotes")
    except csv.Error:  # left to pandas, whose message read_csv reports (E107)
        return


def read_eval_csv(path: Path) -> Any:
    """The rows of ``slant evaluate claims --data`` (columns ``text``, ``label``; strings).

    Raises:
        InputError: as :func:`slant.evaluation.inputs.read_csv` (E106, E101, E102, E104, E107,
            E110); a row with more fields than the header (E107, :func:`check_fields`); a label
            other than 0 or 1 (E107); a row whose text is empty or only whitespace (E107: there is
            no sentence to score, as ``slant analyze`` refuses an empty text).
    """
    import numpy as np

    from ..errors import InputError
    from ..evaluation.inputs import check_labels, read_csv, read_text

    check_fields(path, read_text(path, EVAL_DATA_HELP))
    df = read_csv(path, ("text", "label"), EVAL_DATA_HELP)
    check_labels(df, path, "label")
    empty = np.flatnonzero(df["text"].str.strip().to_numpy() == "")
    if len(empty):
        more = f" (and {len(empty) - 1} more row{'s' if len(empty) > 2 else ''})" if len(empty) > 1 else ""
        raise InputError(f"[E107] {path} row {empty[0] + 1}: column text is empty{more}; "
                         "every row needs the sentence to score")
    return df


def training_keys(data_dir: Path, meta: dict[str, Any]) -> set[str]:
    """:func:`text_key` of every sentence the model of ``meta`` (its ``meta.json``) was fit on,
    recomputed from the claims CSVs in ``data_dir`` by :func:`split_claims` (hashing, no parse):
    the ``train`` part, the calibration rows of the inference source (Platt scaling) and, where
    ``meta["trained_on"]`` names ``liar/train.tsv`` and ``data_dir/../liar`` has it, the LIAR
    statements that joined training. Texts of the held-out ``test`` part are left out: a short
    line such as "Thank you." is in both, and the held-out figures already count it.

    Raises:
        InputError: a file of ``data_dir`` (or LIAR's train.tsv) is missing or malformed (E1xx).
    """
    from ..claims import INFERENCE_SOURCE

    df = split_claims(read_claims(data_dir))
    keys = df["text"].map(text_key)
    part = df["part"]
    source = meta.get("inference_source", INFERENCE_SOURCE)
    seen = set(keys[(part == "train") | ((part == "cal") & (df["source_dataset"] == source))])
    liar_train = data_dir.parent / "liar" / LIAR_FILES[0]
    if "liar/train.tsv" in meta.get("trained_on", []) and liar_train.is_file():
        held = set(keys[part != "train"])
        seen.update(k for k in map(text_key, read_liar(liar_train)["text"]) if k not in held)
    seen.difference_update(keys[part == "test"])
    seen.discard("")
    return seen


def training_overlap(data: Path, df: Any) -> tuple[int, Path] | None:
    """How many rows of ``df`` (read from ``--data`` file ``data``) have the text
    (:func:`text_key`) of a sentence the shipped model was fit on (:func:`training_keys`),
    and the claims folder that says so: ``data``'s own folder when it holds the five claims
    CSVs, else :func:`default_data_dir`. None when neither holds them, or they do not read."""
    from ..claims import model_dir
    from ..errors import SlantError

    folders = [data.resolve().parent, default_data_dir("claims")]
    data_dir = next((d for d in folders if all((d / f"{s}.csv").is_file() for s in SOURCES)), None)
    if data_dir is None:
        return None
    try:
        meta = json.loads((model_dir() / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    try:
        seen = training_keys(data_dir, meta)
    except SlantError:
        return None
    return sum(text_key(t) in seen for t in df["text"]), data_dir


def _scores(y: Any, p: Any, debates: Any = None, threshold: float = 0.5) -> dict[str, Any]:
    import numpy as np
    from sklearn.metrics import average_precision_score, precision_recall_fscore_support

    y = np.asarray(y)
    pred = (np.asarray(p) >= threshold).astype(int)
    prec, rec, f1, _ = precision_recall_fscore_support(y, pred, average="binary", zero_division=0)
    # undefined figures are None (null in JSON, "-" in the table), as average precision is:
    # recall and F1 without a positive label, precision without a positive prediction
    # (F1 is then 0 where there are positives: none of them was found)
    out: dict[str, Any] = {
        "n": int(len(y)), "positives": int(y.sum()),
        "precision": round(float(prec), 4) if pred.any() else None,
        "recall": round(float(rec), 4) if y.any() else None,
        "f1": round(float(f1), 4) if y.any() else None,
        "average_precision": round(float(average_precision_score(y, p)), 4) if y.any() else None,
        "map": None,
    }
    if debates is not None:
        aps = [average_precision_score(y[m], np.asarray(p)[m]) for d in sorted(set(debates))
               if (m := np.asarray(debates) == d).any() and y[m].any()]
        out["map"] = round(float(np.mean(aps)), 4) if aps else None
        out["documents"] = len(aps)
    return out


def evaluate_frame(df: Any, model: Any, *, name: str) -> dict[str, Any]:
    """Scores of ``model`` on a claims-layout DataFrame: overall and per ``source_dataset``.

    ``map`` is the mean over ``debate`` documents (those with a positive) of average
    precision, as CheckThat! reports it; None where there is no ``debate`` column.
    """
    docs = df["doc"].tolist() if "doc" in df.columns else parse_texts(df["text"].tolist(), name)
    texts, dense = featurize(docs)
    p = model.predict_proba(texts, dense)
    y = df["label"].astype(int).to_numpy()
    has_debate = "debate" in df.columns and (df["debate"] != "").any()
    debates = df["debate"].to_numpy() if has_debate else None
    out = _scores(y, p, debates if has_debate else None)
    if "source_dataset" in df.columns:
        out["sources"] = {}
        for src in sorted(set(df["source_dataset"])):
            m = (df["source_dataset"] == src).to_numpy()
            deb = debates[m] if has_debate and (df.loc[m, "debate"] != "").all() else None
            out["sources"][src] = _scores(y[m], p[m], deb)
    return out


def _print(scores: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(scores, indent=2))
        return
    keys = ("n", "positives", "precision", "recall", "f1", "average_precision", "map")
    rows = [("all", scores)] + list(scores.get("sources", {}).items())
    print(f"{'part':24s} " + " ".join(f"{k:>9s}" for k in keys))
    for name, s in rows:
        print(f"{name:24s} " + " ".join(f"{'-' if s.get(k) is None else s[k]:>9}" for k in keys))
    carry = scores.get("carry_over")
    if carry:
        ratings = ", ".join(f"{r} {v}" for r, v in carry["by_rating"].items())
        print(f"\ncarry-over: {carry['recall']} of {carry['n']} {carry['data']} statements (all fact-checked by "
              f"PolitiFact) score >= 0.5; by rating: {ratings}")


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add ``slant train claims`` and ``slant evaluate claims``."""

    @train.command("claims")
    def train_cmd(
        data: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="Folder of the claims CSVs (shared/data/claims).")] = None,
        out: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="Write the model here (default: the package's models/claims).")] = None,
        liar: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="LIAR folder (train.tsv, valid.tsv; default: shared/data/liar beside the claims data).")] = None,
        no_liar: Annotated[bool, typer.Option("--no-liar", help="Train on the claims CSVs only (claims-v1; the shipped model uses LIAR).")] = False,
    ) -> None:
        """Rebuild the check-worthiness model from ClaimBuster + CheckThat! (+ LIAR statements) and print its held-out scores."""
        from ..cli import fail
        from ..errors import SlantError

        data_dir = data or default_data_dir("claims")
        if data is None and not (data_dir / "claimbuster.csv").is_file():
            raise fail(f"{data_dir}: no claimbuster.csv (give --data DIR, the shared/data/claims folder)", 2)
        if no_liar and liar is not None:
            raise fail("--liar and --no-liar: give one", 2)
        liar_dir = None if no_liar else liar or data_dir.parent / "liar"
        if liar is None and liar_dir is not None and not (liar_dir / LIAR_FILES[0]).is_file():
            print(f"note: no {liar_dir / LIAR_FILES[0]}: training on the claims CSVs only (the shipped model also "
                  "learnt from LIAR; give --liar DIR)", file=sys.stderr)
            liar_dir = None
        out_dir = out or Path(__file__).resolve().parents[1] / "models" / "claims"
        try:
            scores = train_claims(data_dir, out_dir, liar_dir=liar_dir, log=lambda m: print(m, file=sys.stderr))
        except SlantError as exc:  # bad --data (E1xx, naming the path)
            raise fail(str(exc)) from None
        except ValueError as exc:  # scikit-learn refuses the fit: e.g. one label only, or no calibration rows
            raise fail(f"[E101] {data_dir}: too few usable rows to train on ({' '.join(str(exc).split())})") from None
        _print(scores, "text")

    @evaluate.command("claims")
    def evaluate_cmd(
        data: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="A CSV in the layout of shared/data/claims (default: the held-out part of the training data).")] = None,
        format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    ) -> None:
        """Precision, recall, F1 (at 0.5), average precision and debate MAP of the shipped model."""
        from ..claims import load_model
        from ..cli import fail, note_line, warning_line
        from ..errors import SlantError

        if format not in ("text", "json"):
            raise fail(f"--format {format}: use text or json", 2)

        def log(message: str) -> None:  # progress on stderr, so that --format json stays JSON on stdout
            print(message, file=sys.stderr)

        carry = None
        try:
            model = load_model()
            if data is None:
                data_dir = default_data_dir("claims")
                if not (data_dir / "claimbuster.csv").is_file():
                    raise fail(f"{data_dir}: no claims data; give --data CSV or set SLANT_SHARED", 2)
                log(f"reading the claims CSVs in {data_dir}")
                df = split_claims(read_claims(data_dir))
                log(f"parsing {len(df)} sentences (cached under $SLANT_CACHE or <tmp>/slant-cache-claims); "
                    f"{int((df['part'] == 'test').sum())} of them are the held-out part")
                df["doc"] = parse_claims(df)
                df = df[df["part"] == "test"]
                liar_train, liar_valid = (data_dir.parent / "liar" / name for name in LIAR_FILES)
                if liar_valid.is_file():
                    statements = unseen_statements(read_liar(liar_valid),
                                                   read_liar(liar_train) if liar_train.is_file() else None)
                    log(f"carry-over check: scoring {len(statements)} LIAR statements of {liar_valid}")
                    carry = liar_recall(statements, model, data=f"liar/{LIAR_FILES[1]}")
                log(f"scoring the {len(df)} held-out rows")
            else:
                df = read_eval_csv(data)
        except SlantError as exc:  # E1xx naming the path (or E211, the model is missing)
            raise fail(str(exc)) from None
        if data is not None:
            overlap = training_overlap(data, df)
            if overlap is None:
                note_line(f"could not check whether rows of {data} are sentences the model was trained on: no "
                          "readable claims folder beside it or in ../shared/data/claims (set SLANT_SHARED to the folder holding data/claims)")
            elif overlap[0]:
                warning_line(f"{overlap[0]} of the {len(df)} rows of {data} have the text of a sentence the model was "
                         f"trained on (in {overlap[1]}), so these figures are optimistic; `slant evaluate claims` "
                         "without --data scores the held-out part")
            log(f"parsing and scoring the {len(df)} rows of {data}")
        scores = evaluate_frame(df, model, name="eval" if data else "test")
        if data is None and carry is not None:
            scores["carry_over"] = carry
        _print(scores, format)
