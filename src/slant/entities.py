"""Named entities: spaCy NER mentions grouped into entities (one mechanism for the
whole project: attribution's speakers use the same clusters).

First version: mentions whose normalised names are equal, or where one is the
surname of the other (PERSON), or that are near-identical spellings
(``Almuhajer`` / ``Almujaher``, string similarity >= 0.75 on the longest token)
join one entity.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from .schema import EntityOut, MentionOut

#: NER labels kept as entities (numbers, dates, money... are not entities here)
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})
_TITLES = frozenset("mr mrs ms dr sir president senator sen rep gov governor general gen sheikh sheik imam minister secretary prime king queen prince judge".split())


@dataclass
class Cluster:
    """An entity in NORMALISED offsets (stage-internal; ``EntityOut`` is the public form).

    Attributes:
        id: ``e1``, ``e2`` ... in order of first mention.
        label: majority spaCy label.
        name: the longest mention text.
        mentions: ``(start, end, label)`` in the normalised text, in document order.
    """

    id: str
    label: str
    name: str
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def name_key(name: str) -> str:
    """Lower-case ASCII letters and digits of ``name``, titles and possessives dropped."""
    name = unicodedata.normalize("NFKD", name)
    name = re.sub(r"['’]s\b", "", name)
    words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _TITLES]
    return " ".join(words)


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    ta, tb = a.split(), b.split()
    if not ta or not tb:
        return False
    if ta[-1] == tb[-1] and (len(ta) == 1 or len(tb) == 1):
        return True  # surname-only mention
    la, lb = max(ta, key=len), max(tb, key=len)
    return min(len(la), len(lb)) >= 5 and difflib.SequenceMatcher(None, la, lb).ratio() >= 0.75


def cluster_mentions(doc) -> list[Cluster]:
    """Group the NER mentions of a spaCy Doc into entities.

    Args:
        doc: spaCy Doc with ``doc.ents``.
    Returns:
        Clusters in order of first mention, ids ``e1``...
    """
    clusters: list[tuple[str, list[str], Cluster]] = []  # (group label, keys, cluster)
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        key = name_key(ent.text)
        if not key:
            continue
        group = "PERSON" if ent.label_ == "PERSON" else "OTHER"
        for glabel, keys, cluster in clusters:
            if glabel == group and any(_similar(key, k) if group == "PERSON" else key == k for k in keys):
                break
        else:
            cluster = Cluster(id="", label=ent.label_, name=ent.text)
            keys = []
            clusters.append((group, keys, cluster))
        keys.append(key)
        cluster.keys = keys
        cluster.mentions.append((ent.start_char, ent.end_char, ent.label_))
        if len(ent.text) > len(cluster.name):
            cluster.name = ent.text
    out = []
    for i, (_, _, cluster) in enumerate(clusters, 1):
        cluster.id = f"e{i}"
        labels = [m[2] for m in cluster.mentions]
        cluster.label = max(set(labels), key=labels.count)
        out.append(cluster)
    return out


def entities_stage(ctx) -> None:
    """Fill ``entities`` (original offsets) and ``ctx.state['entities']`` (clusters)."""
    clusters = cluster_mentions(ctx.doc)
    ctx.state["entities"] = clusters
    out = []
    for c in clusters:
        mentions = [MentionOut(**ctx.span(s, e).model_dump(), label=label) for s, e, label in c.mentions]
        aliases = sorted({ctx.document.text[m.start : m.end] for m in mentions})
        out.append(EntityOut(id=c.id, label=c.label, name=c.name, mentions=mentions, aliases=aliases))
    ctx.out["entities"] = out


def find_cluster(clusters: list[Cluster], start: int, end: int) -> Cluster | None:
    """The cluster with a mention overlapping NORMALISED ``[start, end)``, if any."""
    for c in clusters:
        for s, e, _ in c.mentions:
            if s < end and start < e:
                return c
    return None


def match_name(clusters: list[Cluster], name: str, label: str = "PERSON") -> Cluster | None:
    """The cluster a new mention ``name`` would join under the clustering rule, if any.

    Attribution uses this for speaker mentions the NER missed, so that speakers and
    entities are grouped by one mechanism.
    """
    key = name_key(name)
    if not key:
        return None
    for c in clusters:
        if (c.label == "PERSON") != (label == "PERSON"):
            continue
        if any(_similar(key, k) for k in c.keys):
            return c
    return None
