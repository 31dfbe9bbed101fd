"""Places: gazetteer keys, geocoding with country votes, regions, the GeoJSON view."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from slant.places import get_gazetteer, key_variants, place_key, resolve_names

#: real coordinates of the towns of examples/000 (degrees N, E)
REAL = {"Palmyra": (34.56, 38.28), "Raqqa": (35.95, 39.01), "Mosul": (36.34, 43.13), "Homs": (34.73, 36.72),
        "Elbab": (36.37, 37.52)}
#: Middle East and North Africa, as a generous box (lat, lon)
MENA = ((12.0, 42.5), (-18.0, 63.0))


def km(a, b):
    """Great-circle distance in km between (lat, lon) pairs."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def example_places(nlp, example_text):
    import slant
    from slant.options import Options

    options = dataclasses.replace(Options(), stages=("entities", "places"))
    return slant.analyze(example_text, options=options)


def test_place_key_strips_diacritics_apostrophes_and_the():
    assert place_key("the Ḩimş") == "hims"
    assert place_key("Al-Bāb") == "al bab"
    assert place_key("Shi’ite") == "shiite"


@pytest.mark.parametrize("a,b", [("Elbab", "Al Bāb"), ("al-Bab", "El Bab"), ("Raqqa", "Ar Raqqah"), ("Deir ez-Zor", "Deir ez Zor")])
def test_transliteration_variants_share_a_key(a, b):
    assert {k for k, _ in key_variants(a)} & {k for k, _ in key_variants(b)}


@pytest.mark.parametrize("name", sorted(REAL))
def test_example_towns_geocode_within_25_km(name):
    names = ["Syria", "Iraq", *sorted(REAL)]
    res = dict(zip(names, resolve_names(names)))[name]
    assert res is not None and res.place.country in ("SY", "IQ")
    assert km((res.place.lat, res.place.lon), REAL[name]) < 25


def test_palmyra_among_syrian_towns_is_tadmur():
    res = resolve_names(["Palmyra", "Homs", "Aleppo"])[0]
    assert res.place.name == "Tadmur" and res.place.country == "SY" and res.place.geonameid == 163808


def test_country_votes_pick_the_city_of_the_article_country():
    us = resolve_names(["Alexandria", "Virginia", "U.S."])[0]
    eg = resolve_names(["Alexandria", "Cairo", "Egypt"])[0]
    assert us.place.country == "US" and eg.place.country == "EG"


def test_regions_resolve_at_region_level_with_lower_confidence():
    sinai, middle_east, africa, mosul = resolve_names(["Sinai", "the Middle East", "Africa", "Mosul"])
    assert sinai.place.feature == "region" and sinai.place.country == "EG" and sinai.confidence < mosul.confidence
    assert middle_east.place.lat is None  # a multi-country region is no point on a map
    assert africa.place.feature == "continent" and africa.place.lat is None


def test_no_small_town_for_a_non_place_word():
    assert resolve_names(["Allah"]) == [None]
    assert resolve_names(["Ebola"]) == [None]


def test_country_aliases():
    names = ["U.S.", "America", "United States", "DR Congo", "Britain"]
    got = [r.place.country for r in resolve_names(names)]
    assert got == ["US", "US", "US", "CD", "GB"]


def test_gazetteer_is_loaded_once_and_answers_repeated_queries_the_same():
    gaz = get_gazetteer()
    assert gaz is get_gazetteer()
    names = ["Iraq", "Syria", "Raqqa", "Palmyra", "Mosul", "Homs", "Turkey", "Elbab", "Sinai"]
    first = [r.place.geonameid if r.place else None for r in resolve_names(names)]
    for _ in range(20):
        assert [r.place.geonameid if r.place else None for r in resolve_names(names)] == first


def test_issue5_done_when_example_places(example_places):
    by_entity = {e.id: e for e in example_places.entities}
    places = {by_entity[p.entity_id].name: p for p in example_places.places}
    for name, real in REAL.items():
        p = places[name]
        assert p.country in ("SY", "IQ"), name
        assert km((p.lat, p.lon), real) < 25, name
    for p in example_places.places:
        if p.lat is not None:
            (la0, la1), (lo0, lo1) = MENA
            assert la0 <= p.lat <= la1 and lo0 <= p.lon <= lo1, p
    assert places["Palmyra"].mention_count == 2


def test_geojson_is_a_feature_collection_with_counts(example_places, example_text):
    from slant.render.geojson import render_geojson

    gj = json.loads(render_geojson(example_places, example_text))
    assert gj["type"] == "FeatureCollection"
    feats = {f["properties"]["mention"]: f for f in gj["features"]}
    palmyra = feats["Palmyra"]
    assert palmyra["geometry"]["type"] == "Point"
    lon, lat = palmyra["geometry"]["coordinates"]
    assert km((lat, lon), REAL["Palmyra"]) < 25
    assert palmyra["properties"]["mention_count"] == 2
    for s, e in palmyra["properties"]["spans"]:
        assert example_text[s:e] == "Palmyra"
    assert feats["Africa"]["geometry"] is None


@pytest.mark.slow
def test_build_gazetteer_writes_a_loadable_file(tmp_path):
    from slant.places import build_gazetteer

    path = tmp_path / "g.tsv.gz"
    n = build_gazetteer(path)
    gaz = get_gazetteer(str(path))
    assert len(gaz.records) == n > 30000
    assert any(p.name == "Tadmur" for p, _ in gaz.candidates("Palmyra"))


def test_a_named_us_state_picks_its_city():
    assert resolve_names(["Springfield", "Illinois"])[0].place.code == "US-IL"
    assert resolve_names(["Portland", "Maine"])[0].place.code == "US-ME"
    assert resolve_names(["Springfield", "Mo."])[1].place.name == "Missouri"  # AP abbreviation


def test_no_small_foreign_town_when_the_article_votes_elsewhere():
    # Palm Beach, Florida is below the gazetteer's 15,000; Palm Beach, Australia must not stand in
    assert resolve_names(["Palm Beach", "Florida", "Texas"])[0] is None


def test_an_alternate_name_in_a_named_state_does_not_beat_the_capital():
    res = resolve_names(["Ohio", "Grove City", "Washington"])
    assert res[2].place.geonameid == 4140963  # Washington, D.C., not a town in Ohio once called Washington


@pytest.fixture(scope="module")
def analyse_places(nlp):
    import slant
    from slant.options import Options

    options = dataclasses.replace(Options(), stages=("sentences", "entities", "places", "attribution"))

    def run(text):
        a = slant.analyze(text, options=options)
        names = {e.id: e.name for e in a.entities}
        return {names[p.entity_id]: p for p in a.places}, a

    return run


def test_issue5_a_us_state_beats_a_foreign_town_of_the_same_name(analyse_places):
    places, _ = analyse_places("The governor of Virginia signed the bill in Richmond.")
    assert places["Virginia"].country == "US" and places["Virginia"].feature == "state"


def test_issue5_city_state_pattern_binds_the_city(analyse_places):
    places, _ = analyse_places("Protesters gathered in Alexandria, Virginia, near Washington.")
    assert places["Alexandria"].country == "US" and places["Alexandria"].geonameid == 4744091
    assert places["Virginia"].feature == "state" and places["Virginia"].country == "US"
    places, _ = analyse_places("She moved to Paris, Texas, last year.")
    assert places["Paris"].country == "US"


def test_issue5_an_alternate_name_never_picks_an_unrelated_small_town(analyse_places):
    places, _ = analyse_places("He grew up in Palmyra, a small town near Springfield in Illinois.")
    assert "Palmyra" not in places or places["Palmyra"].feature != "city"
    assert places["Illinois"].feature == "state"


def test_issue5_first_level_subdivisions_resolve_with_their_country(analyse_places):
    places, _ = analyse_places("Bavaria, Catalonia and Sicily voted.")
    got = {name: (p.feature, p.country) for name, p in places.items()}
    assert got == {"Bavaria": ("subdivision", "DE"), "Catalonia": ("subdivision", "ES"), "Sicily": ("subdivision", "IT")}
    assert all(p.confidence < 0.9 for p in places.values())  # region level, below a city or country match


def test_issue5_geojson_has_one_feature_per_gazetteer_record(example_places, example_text):
    from slant.render.geojson import render_geojson
    from slant.schema import PlaceOut

    a = example_places.model_copy(deep=True)
    palmyra = next(p for p in a.places if p.geonameid == 163808)
    other = next(e for e in a.entities if e.id != palmyra.entity_id and e.mentions)
    a.places.append(PlaceOut(**{**palmyra.model_dump(), "entity_id": other.id, "mention_count": len(other.mentions)}))
    feats = [f for f in json.loads(render_geojson(a, example_text))["features"] if f["properties"]["geonameid"] == 163808]
    assert len(feats) == 1
    props = feats[0]["properties"]
    assert props["entity_ids"] == [palmyra.entity_id, other.id]
    assert props["mention_count"] == palmyra.mention_count + len(other.mentions) == len(props["spans"])
