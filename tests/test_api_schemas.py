"""The OpenAPI document names each schema once: django-ninja files schemas under their class name, so two
apps each defining a `CategoryOut` would silently publish one app's shape for the other's endpoint."""

from collections import Counter

from ninja import Schema

from jusha.api import api


def _jusha_schemas(cls=Schema):
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("jusha."):
            yield sub
        yield from _jusha_schemas(sub)


def test_schema_class_names_are_unique_across_apps():
    api.get_openapi_schema()  # imports every router and its schemas
    names = Counter(cls.__name__ for cls in set(_jusha_schemas()))
    assert [name for name, n in names.items() if n > 1] == []


def test_each_endpoint_publishes_its_own_category_shape():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert "kind" in components["CaseCategoryOut"]["properties"]
    assert "kind" not in components["CategoryOut"]["properties"]
