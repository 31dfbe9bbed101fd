"""Views of an Analysis: terminal (rich), JSON, HTML, GeoJSON."""
