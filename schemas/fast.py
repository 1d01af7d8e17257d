"""A fast path for loading valid data with a marshmallow schema; the schema stays the contract.

`loader(schema)` returns a function with the same answer as `schema.load(data)` for every
input. It walks the schema's fields once and builds plain closures for them, so that loading
a valid record skips marshmallow's per-field machinery (error stores, getters, hook lookups).
The fast path only ever *accepts*: at the first value it does not recognise as valid, or any
field, validator or hook it was not built for, it gives up and `schema.load` decides, with
its own result and Dutch field messages. A push of thousands of inspections spends most of
its validation time here (see bench/sync_bench.py); tests/test_fast_load.py holds the two
paths to the same answers. It follows marshmallow 4's load steps (setup.cfg keeps us below 5)
and reads its registered hooks; those tests run against whatever marshmallow CI installs.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import re
from typing import Any, Callable

from marshmallow import RAISE, Schema, fields, missing, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

from schemas import base

Convert = Callable[[Any], Any]
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch


class NotCompilable(Exception):
    """The schema uses something the fast path does not handle; use schema.load."""


class _Slow(Exception):
    """The fast path declines this input; schema.load decides."""


def _slow() -> Any:
    raise _Slow


class Loader:
    """Loads data exactly as schema.load does; quickly when it is valid and the schema compiled."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        try:
            self._fast: Convert | None = _compile_schema(schema)
            self._wire: Convert | None = _wire_schema(schema)
        except NotCompilable:
            self._fast = self._wire = None
        self.slow = 0  # inputs the fast path left to the schema

    @property
    def fast(self) -> bool:
        """Whether the schema compiled to a fast path."""
        return self._fast is not None

    def __call__(self, data: Any) -> Any:
        return self._load(data)[0]

    def wire(self, data: Any) -> Any:
        """Return base.to_wire(schema.load(data)): the loaded data, JSON-ready.

        The fast path's result is made of new dicts and lists, so only the values that are
        not JSON yet (dates and times) are turned into text, in place; nothing else is walked.
        """
        loaded, fast = self._load(data)
        if not fast:
            return base.to_wire(loaded)
        return loaded if self._wire is None else self._wire(loaded)

    def _load(self, data: Any) -> tuple[Any, bool]:
        """Return the loaded data and whether the fast path made it."""
        if self._fast is not None:
            with contextlib.suppress(Exception):  # any doubt at all: the schema itself decides
                return self._fast(data), True
        self.slow += 1
        return self.schema.load(data), False


def loader(schema: Schema) -> Loader:
    """Return a function that loads data exactly as schema.load does, quickly when it is valid."""
    return Loader(schema)


def _compile_schema(schema: Schema) -> Convert:
    if schema.many or schema.partial or schema.unknown != RAISE or schema.only or schema.exclude:
        raise NotCompilable(f"{type(schema).__name__}: many, partial, only, exclude or unknown")
    hooks = schema._hooks  # the registered hooks are what load() runs
    if hooks[PRE_LOAD] or hooks[POST_LOAD]:
        raise NotCompilable(f"{type(schema).__name__}: pre_load/post_load")
    plan = []
    for attr_name, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        target = field.attribute or attr_name
        if "." in target:
            raise NotCompilable(f"{attr_name}: dotted attribute")
        plan.append((key, target, field.required, field.load_default, _compile_field(field)))
    known = frozenset(key for key, *_ in plan)
    field_checks = _field_validators(schema)
    schema_checks = _schema_validators(schema)
    make = schema.dict_class

    def load(data: Any) -> Any:
        if type(data) is not dict or not known.issuperset(data):
            raise _Slow
        out = make()
        for key, target, required, default, convert in plan:
            value = data.get(key, missing)
            if value is missing:
                if required:
                    raise _Slow
                if default is missing:
                    continue
                # A shared default (a dict or list) is copied: wire() changes results in place.
                value = default() if callable(default) else (
                    copy.deepcopy(default) if isinstance(default, (dict, list)) else default)
                if value is missing:
                    continue
                out[target] = value
            else:
                out[target] = convert(value)
        for check in field_checks:
            check(out)
        for check in schema_checks:
            check(out, data)
        return out

    return load


def _wire_schema(schema: Schema) -> Convert | None:
    """Return what makes the fast path's result of a schema JSON-ready in place (None: it is)."""
    plan = [(field.attribute or name, convert) for name, field in schema.load_fields.items()
            if (convert := _wire_field(field)) is not None]
    if not plan:
        return None

    def wire(out: Any) -> Any:
        for target, convert in plan:
            value = out.get(target)
            if value is not None:
                out[target] = convert(value)
        return out
    return wire


def _wire_field(field: Any) -> Convert | None:
    """Return what makes a field's value from the fast path JSON-ready (None: it is already)."""
    kind = type(field)
    if kind in (base.Date, base.DateTime):
        return _isoformat
    if kind is base.Raw:
        return base.to_wire  # the caller's own value: copied, as to_wire does
    if kind is base.List:
        inner = _wire_field(field.inner)
        if inner is None:
            return None
        return lambda items: [None if item is None else inner(item) for item in items]
    if kind is base.Dict:
        plain = all(f is not None and _wire_field(f) is None for f in (field.key_field, field.value_field))
        return None if plain else base.to_wire
    if kind is base.Nested:
        return _wire_schema(field.schema)
    return None  # Str, Int, Bool, Float and UUID load as JSON values


def _isoformat(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value  # as to_wire


def _field_validators(schema: Schema) -> list[Callable[..., None]]:
    """The @validates hooks, as Schema._invoke_field_validators runs them on valid data."""
    checks: list[Callable[..., None]] = []
    for attr_name, _, options in schema._hooks[VALIDATES]:
        method = getattr(schema, attr_name)
        for field_name in options["field_names"]:
            if field_name not in schema.fields:
                if field_name in schema.declared_fields:
                    continue
                raise NotCompilable(f"{field_name}: no such field")
            field = schema.fields[field_name]
            data_key = field.data_key if field.data_key is not None else field_name
            target = field.attribute or field_name

            def check(out: dict[str, Any], method: Any = method, target: str = target,
                      data_key: str = data_key) -> None:
                if target in out and method(out[target], data_key=data_key) is missing:
                    raise _Slow

            checks.append(check)
    return checks


def _schema_validators(schema: Schema) -> list[Callable[..., None]]:
    """The @validates_schema hooks, collection-level first, as Schema._do_load runs them."""
    checks: list[Callable[..., None]] = []
    for pass_collection in (True, False):
        for attr_name, hook_many, options in schema._hooks[VALIDATES_SCHEMA]:
            if hook_many != pass_collection:
                continue
            method = getattr(schema, attr_name)
            unknown, partial = schema.unknown, schema.partial

            if options.get("pass_original", False):
                def check(out: dict[str, Any], data: Any, method: Any = method, unknown: Any = unknown,
                          partial: Any = partial) -> None:
                    method(out, data, partial=partial, many=False, unknown=unknown)
            else:
                def check(out: dict[str, Any], data: Any, method: Any = method, unknown: Any = unknown,
                          partial: Any = partial) -> None:
                    method(out, partial=partial, many=False, unknown=unknown)
            checks.append(check)
    return checks


def _compile_field(field: fields.Field) -> Convert:
    """Return a function from a present input value to the field's output (Field.deserialize)."""
    if field.pre_load or field.post_load:
        raise NotCompilable(f"{field!r}: field pre_load/post_load")
    convert = _converter(field)
    checks = [_check(v) for v in field.validators]
    allow_none = field.allow_none

    if not checks:
        def load(value: Any) -> Any:
            if value is None:
                return None if allow_none else _slow()
            return convert(value)
        return load

    def load_checked(value: Any) -> Any:
        if value is None:
            return None if allow_none else _slow()
        out = convert(value)
        for check in checks:
            check(out)
        return out
    return load_checked


def _converter(field: Any) -> Convert:
    """Return the field's _deserialize for valid input; exact classes only, else the field's own."""
    kind = type(field)
    if kind is base.Str:
        return _str
    if kind is base.Int and field.strict:
        return _int
    if kind is base.Bool:
        return _bool
    if kind is base.Float and field.allow_nan is False and not field.as_string:
        return _float
    if kind is base.Raw:
        return _same
    if kind is base.List:
        return _list(_compile_field(field.inner))
    if kind is base.Dict and field.key_field is not None and field.value_field is not None:
        return _dict(_compile_field(field.key_field), _compile_field(field.value_field))
    if kind is base.Nested and not field.many and field.unknown is None and field.only is None and not field.exclude:
        return _compile_schema(field.schema)

    def own(value: Any) -> Any:  # any other field: its own conversion, exactly
        return field._deserialize(value, None, None)
    if kind is base.UUID:
        def canonical(value: Any) -> Any:  # str(UUID(s)) == s for a canonical s; else parse it
            return value if type(value) is str and _CANONICAL_UUID(value) else own(value)
        return canonical
    if kind in (base.Date, base.DateTime):
        return own
    raise NotCompilable(f"{kind.__name__}: no fast conversion")


def _str(value: Any) -> Any:
    return value if type(value) is str and not base.bad_text(value) else _slow()


def _int(value: Any) -> Any:
    return value if type(value) is int else _slow()


def _bool(value: Any) -> Any:
    return value if type(value) is bool else _slow()


def _float(value: Any) -> Any:
    kind = type(value)
    if kind is float:
        result = value
    elif kind is int:
        result = float(value)  # OverflowError for huge ints: the schema answers "too large"
    else:
        raise _Slow
    return result if math.isfinite(result) else _slow()


def _same(value: Any) -> Any:
    return value


def _list(inner: Convert) -> Convert:
    def load(value: Any) -> Any:
        if type(value) is not list:
            raise _Slow
        return [inner(item) for item in value]
    return load


def _dict(key: Convert, val: Convert) -> Convert:
    def load(value: Any) -> Any:
        if type(value) is not dict:
            raise _Slow
        out = {}
        for k, v in value.items():
            out[key(k)] = val(v)
        return out
    return load


def _check(validator: Any) -> Callable[[Any], None]:
    """Return a validator as a check that raises when the value is not valid."""
    kind = type(validator)
    if kind is validate.Range:
        low, high = validator.min, validator.max
        low_in, high_in = validator.min_inclusive, validator.max_inclusive

        def in_range(value: Any) -> None:
            if low is not None and (value < low if low_in else value <= low):
                raise _Slow
            if high is not None and (value > high if high_in else value >= high):
                raise _Slow
        return in_range
    if kind is validate.OneOf:
        choices = validator.choices

        def one_of(value: Any) -> None:
            if value not in choices:
                raise _Slow
        return one_of
    if kind is validate.Length:
        low, high, equal = validator.min, validator.max, validator.equal

        def length(value: Any) -> None:
            n = len(value)
            if equal is not None:
                if n != equal:
                    raise _Slow
                return
            if (low is not None and n < low) or (high is not None and n > high):
                raise _Slow
        return length
    if kind is validate.Regexp:
        match = validator.regex.match

        def pattern(value: Any) -> None:
            if match(value) is None:
                raise _Slow
        return pattern
    return validator  # any other validator raises ValidationError itself
