"""A reader method's arguments, taken from an HTTP request by the method's own signature.

A parameter typed as a pydantic model (ViewScope, a filter or paging model) is validated from the query
string on GET and from the JSON body on POST; a plain parameter (str, int, bool, date) from the path
when the path names it, else from the query string. An empty query value is None where None is allowed.
Anything that does not validate is a 422 naming the parameter; an unknown query parameter too (a typo
must not silently show unfiltered data).
"""

from __future__ import annotations

import inspect
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
    def is_model(self) -> bool:
        return inspect.isclass(self.annotation) and issubclass(self.annotation, BaseModel)


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
    for p in params:
        if p.is_model:
            model: type[BaseModel] = p.annotation
            if verb == "POST" and not body_used:
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
        elif p.name in query:
            known.add(p.name)
            raw = query[p.name] if _is_list(p.annotation) else query[p.name][-1]
        elif p.required:
            raise ApiError(422, f"Missing query parameter {p.name!r}.")
        else:
            continue
        try:
            args[p.name] = TypeAdapter(p.annotation).validate_python(raw)
        except ValidationError as exc:
            raise ApiError(422, f"Invalid parameter {p.name!r}: {_problems(exc, '')}.") from None
    unknown = sorted(set(query) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "no query parameters"
        raise ApiError(422, f"Unknown query parameter(s) {', '.join(unknown)}; this path takes {takes}.")
    return args
