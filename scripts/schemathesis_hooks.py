"""schemathesis hooks of scripts/schemathesis.sh: what the OpenAPI document says in prose, where JSON
Schema cannot say it (docs/decisions/110-reliability-suites.md).

- `q` is Elasticsearch query_string syntax, of which the embedded engine runs a documented subset; its
  grammar is prose in the document. Every generated string `q` is drawn from a small grammar both
  engines accept (terms, `field:term`, quoted phrases, AND/OR) instead of arbitrary text, which is
  mostly a syntax error (400); a `q` that negative testing turned into another type is left alone.
- The result window: `page * size` (or `from - 1 + size`) may not exceed the `x-max-result-window` of
  the `size` parameter (400 past it). JSON Schema cannot relate two parameters, so generated searches
  are kept inside the window; the limit itself is asserted by apps/reference/test/reliability.
"""

import json
import os
import urllib.request

import schemathesis
from hypothesis import strategies as st

_RESERVED = {"AND", "OR", "NOT", "TO"}
_FIELDS = ["title", "description", "type", "subjects", "language", "creators.name"]

_word = st.text(alphabet=st.characters(categories=["Ll", "Lu", "Nd"]), min_size=1, max_size=12).filter(
    lambda word: word not in _RESERVED
)
_term = st.one_of(
    _word,
    st.builds(lambda field, word: f"{field}:{word}", st.sampled_from(_FIELDS), _word),
    st.builds(lambda words: '"' + " ".join(words) + '"', st.lists(_word, min_size=1, max_size=3)),
)
_query = st.builds(
    lambda first, rest: first + "".join(f"{op}{term}" for op, term in rest),
    _term,
    st.lists(st.tuples(st.sampled_from([" ", " AND ", " OR "]), _term), max_size=3),
)


@schemathesis.hook
def before_generate_query(ctx, strategy):
    def with_query(query):
        if isinstance(query, dict) and isinstance(query.get("q"), str):
            return _query.map(lambda text: {**query, "q": text})
        return st.just(query)

    return strategy.flatmap(with_query)


def _window():
    """The `size` parameter's default and `x-max-result-window`, read from the served document."""
    url = os.environ.get("RK_OPENAPI_URL")
    if not url:
        return None
    with urllib.request.urlopen(url, timeout=10) as response:
        document = json.load(response)
    for item in document.get("paths", {}).values():
        for parameter in item.get("get", {}).get("parameters", []):
            if parameter.get("name") == "size" and "x-max-result-window" in parameter:
                return parameter["schema"].get("default", 10), parameter["x-max-result-window"]
    return None


_WINDOW = _window()


def _integer(value):
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@schemathesis.hook
def filter_query(ctx, query):
    if not query or _WINDOW is None or not isinstance(query, dict):
        return True
    default_size, window = _WINDOW
    size = _integer(query.get("size")) if "size" in query else default_size
    page = _integer(query.get("page"))
    start = _integer(query.get("from"))
    if size is None:
        return True
    if page is not None and page * size > window:
        return False
    if start is not None and start - 1 + size > window:
        return False
    return True
