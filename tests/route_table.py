"""One route table per test worker, not one per app.

Almost every test builds its own app (`saduak.app.create_app`) over its own database, and FastAPI
builds each included route's request handler — its dependency graph and the pydantic validators of
every parameter — lazily, per app, on the first request that walks past it: about a tenth of a
second of CPU for the whole table, paid again by each of some 2,000 tests (measured: the API tests
of `tests/admin/test_admin_api.py` and `tests/security/test_input_validation.py` used 34 s of CPU
with a table per app, 21 s with this).

The handler of a route depends only on the route and where it is included (path prefix, the
schema flag, body limit), which are the same in every app this project builds; the app only
provides `dependency_overrides`, which neither the project nor its tests use, and no router is
included with dependencies of its own (both refused below, rather than shared wrongly). So the
first app's handler is reused by the next. A production process builds one app and is not
affected: this module is imported by the tests' conftest only.

If a FastAPI release renames what this wraps, the import below fails and says so; drop the module
then (the tests are only slower without it).
"""

from __future__ import annotations

from typing import Any

from fastapi import routing

_Context = routing._EffectiveRouteContext
_build = _Context.from_api_route.__func__  # type: ignore[attr-defined]
_built: dict[tuple[Any, ...], tuple[Any, Any]] = {}


def _from_api_route(cls: type, *, original_route: Any, include_context: Any) -> Any:
    # What the key below does not tell apart must not exist: dependencies given when a router is
    # included (their ids could be another app's) and an app's own dependency overrides.
    provider = include_context.dependency_overrides_provider
    if include_context.dependencies or getattr(provider, "dependency_overrides", None):
        raise RuntimeError("tests/route_table.py cannot share this route's handler between apps")
    key = (
        id(original_route),
        include_context.prefix,
        include_context.include_in_schema,
        include_context.max_body_size,
    )
    built = _built.get(key)
    if built is None:
        # The route is kept with its handler, so that its id is never reused by another.
        built = _built[key] = (
            original_route,
            _build(cls, original_route=original_route, include_context=include_context),
        )
    return built[1]


def install() -> None:
    _Context.from_api_route = classmethod(_from_api_route)  # type: ignore[method-assign,assignment]
