"""GeoJSON view of an Analysis: a FeatureCollection of its geocoded places (RFC 7946).

One Feature per gazetteer record (entities that resolve to one record, such as
``Va.`` and ``Virginia``, share a feature: ``entity_ids`` lists them and their mention
counts and spans are summed): a Point ``[lon, lat]`` (or ``null`` geometry for places the
gazetteer gives no point, e.g. continents and multi-country regions), with
properties ``entity_id``, ``name`` (gazetteer name), ``mention`` (the article's
canonical form), ``country`` (ISO2), ``geonameid``, ``feature``, ``confidence``,
``mention_count`` and ``spans`` (the mentions' original ``[start, end)`` offsets);
``surface_forms`` are display strings (zero-width characters removed).
"""

from __future__ import annotations

import json

from ..entities import display_name
from ..schema import Analysis


def render_geojson(analysis: Analysis, text: str) -> str:
    """Serialise ``analysis.places`` as a GeoJSON FeatureCollection.

    Args:
        analysis: one article's Analysis.
        text: the original text (offsets in ``spans`` index it).
    Returns:
        the FeatureCollection as a JSON string ending in a newline.
    """
    entities = {e.id: e for e in analysis.entities}
    features: list[dict] = []
    by_place: dict[tuple, dict] = {}  # one feature per gazetteer record: "Va." and "Virginia" are one place
    for p in analysis.places:
        entity = entities.get(p.entity_id)
        spans = [[m.start, m.end] for m in entity.mentions] if entity else []
        key = (p.geonameid,) if p.geonameid is not None else (p.feature, p.country, p.name, p.lat, p.lon)
        if key in by_place:
            props = by_place[key]["properties"]
            props["entity_ids"].append(p.entity_id)
            props["mention_count"] += p.mention_count
            props["spans"] = sorted(props["spans"] + spans)
            props["surface_forms"] = sorted(set(props["surface_forms"]) | {display_name(text[s:e]) for s, e in spans})
            props["confidence"] = max(props["confidence"], p.confidence)
            continue
        geometry = None
        if p.lat is not None and p.lon is not None:
            geometry = {"type": "Point", "coordinates": [round(p.lon, 5), round(p.lat, 5)]}
        feature = {
            "type": "Feature",
            "id": p.entity_id,
            "geometry": geometry,
            "properties": {
                "entity_id": p.entity_id,
                "entity_ids": [p.entity_id],
                "name": p.name,
                "mention": entity.name if entity else None,
                "surface_forms": sorted({display_name(text[s:e]) for s, e in spans}),
                "country": p.country,
                "geonameid": p.geonameid,
                "feature": p.feature,
                "confidence": p.confidence,
                "mention_count": p.mention_count,
                "spans": spans,
            },
        }
        by_place[key] = feature
        features.append(feature)
    collection = {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"analysis_id": analysis.id, "source": analysis.meta.get("source")},
    }
    return json.dumps(collection, ensure_ascii=False, indent=2) + "\n"
