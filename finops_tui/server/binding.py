"""A reader method's arguments, taken from an HTTP request by the method's own signature.

A parameter typed as a pydantic model (ViewScope, a filter or paging model) is validated from the query
string on GET and from the JSON body on POST; a plain parameter (str, int, bool, date) from the path
when the path names it, else from the JSON body's key of that name (POST) or the query string; a structured
one (a tuple of CostFilter) as JSON text. A model typed `Model | None` left entirely out of a GET is None.
An empty query value is None where None is allowed.
Anything that does not validate is a 422 naming the parameter; an unknown query parameter too (a typo
must not silently show unfiltered data).
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from finops_tui.server.envelope import ApiError


@dataclass(frozen=True)
class Parameter:
    name: str
    annotation: Any
    required: bool
    default: Any

    @property
    def model(self) -> type[BaseModel] | None:
        """The pydantic model this parameter takes (`Model` or `Model | None`), or None for a plain value."""
        options = typing.get_args(self.annotation) if isinstance(self.annotation, types.UnionType) else ()
        for candidate in (self.annotation, *options):
            if inspect.isclass(candidate) and issubclass(candidate, BaseModel):
                return candidate
        return None

    @property
    def is_model(self) -> bool:
        return self.model is not None


def parameters_of(function: Callable[..., Any]) -> tuple[list[Parameter], Any]:
    """The parameters (self excluded) and the return annotation, with forward references resolved."""
    hints = typing.get_type_hints(function)
    params = [
        Parameter(p.name, hints.get(p.name, Any), p.default is inspect.Parameter.empty, p.default)
        for p in inspect.signature(function).parameters.values()
        if p.name != "self"
    ]
    return params, hints.get("return", Any)


def _nullable(annotation: Any) -> bool:
    return annotation is None or type(None) in typing.get_args(annotation)


def _is_list(annotation: Any) -> bool:
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    return any(typing.get_origin(a) in (list, tuple, set) for a in options)


def _problems(exc: ValidationError, where: str) -> str:
    return "; ".join(
        f"{where}{'.'.join(str(p) for p in e['loc']) or ''}: {e['msg']}".replace(": :", ":") for e in exc.errors()
    )


def model_from_query(model: type[BaseModel], query: Mapping[str, list[str]]) -> BaseModel:
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in query:
            values = query[name]
            if _is_list(field.annotation):
                data[name] = values
            else:
                value = values[-1]
                data[name] = None if value == "" and _nullable(field.annotation) else value
        elif field.is_required() and _nullable(field.annotation):
            data[name] = None  # e.g. ViewScope.currency: leaving it out means "no currency"
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, f"Invalid query parameter(s): {_problems(exc, '')}.") from None


def _body_object(body: bytes) -> dict[str, Any]:
    """A POST body's top-level JSON object, for plain parameters named in it; {} when it is not an object."""
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def bind(
    params: list[Parameter],
    verb: str,
    path_params: Mapping[str, str],
    query: Mapping[str, list[str]],
    body: bytes,
) -> dict[str, Any]:
    """Keyword arguments for the method; ApiError(422) naming what did not validate."""
    args: dict[str, Any] = {}
    known: set[str] = set()
    body_used = False
    body_object = _body_object(body) if verb == "POST" else {}
    for p in params:
        model = p.model
        if model is not None:
            if verb == "GET" and not p.required and not set(model.model_fields) & set(query):
                known.update(model.model_fields)
                continue  # an optional model none of whose fields was given: the method's default
            if verb == "POST" and not body_used and not any(q.model is None and q.name in body_object for q in params):
                body_used = True
                try:
                    args[p.name] = model.model_validate_json(body or b"{}")
                except ValidationError as exc:
                    raise ApiError(422, f"Invalid request body: {_problems(exc, '')}.") from None
            else:
                known.update(model.model_fields)
                args[p.name] = model_from_query(model, query)
            continue
        if p.name in path_params:
            raw: Any = path_params[p.name]
        elif verb == "POST" and p.name in body_object:
            raw = body_object[p.name]
        elif p.name in query:
            known.add(p.name)
            raw = query[p.name] if _is_list(p.annotation) else query[p.name][-1]
        elif p.required:
            raise ApiError(422, f"Missing query parameter {p.name!r}.")
        else:
            continue
        adapter: TypeAdapter[Any] = TypeAdapter(p.annotation)
        try:
            try:
                args[p.name] = adapter.validate_python(raw)
            except ValidationError:
                text = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
                if not (isinstance(text, str) and text[:1] in "[{"):
                    raise
                args[p.name] = adapter.validate_json(text)  # structured values (filters) travel as JSON text
        except ValidationError as exc:
            raise ApiError(422, f"Invalid parameter {p.name!r}: {_problems(exc, '')}.") from None
    unknown = sorted(set(query) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "no query parameters"
        raise ApiError(422, f"Unknown query parameter(s) {', '.join(unknown)}; this path takes {takes}.")
    return args
