"""The fast load path gives schema.load's answer for every input: valid, broken, or odd.

Thousands of seeded mutations of real inspections (wrong types, boundary numbers, missing
and unknown keys, bad dates and ids, broken cross-field rules) go through both paths; the
answers (data and its key order, or the field messages) must be the same, and valid records
must really take the fast path.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from typing import Any

import pytest
from marshmallow import Schema, ValidationError, fields, pre_load, validate

from schemas import address_schema, assignment_schema, inspection_schema
from schemas.base import BaseSchema, Float, Int, Str, to_wire
from schemas.fast import loader
from server.sync import push_schema
from tests.conftest import example

ROOM_KINDS = ["bedroom", "living", "kitchen", "bathroom", "toilet", "other"]


def inspection(rng: random.Random) -> dict[str, Any]:
    """A valid inspection of 1 to 9 rooms, from an example with its values shuffled."""
    data = copy.deepcopy(example(rng.choice(["compliant.json", "overbewoond.json"]))["inspection"])
    rooms = [{"id": f"r{i}", "name": rng.choice([None, f"Kamer {i}"]), "kind": rng.choice(ROOM_KINDS),
              "storey": rng.choice([None, 0, 1]), "area_m2": rng.choice([None, 7, 12.5, 999.9]),
              "beds": rng.choice([None, 0, 2]), "occupants": rng.choice([None, 0, 3])}
             for i in range(rng.randint(1, 9))]
    data.update(id=str(uuid.uuid4()), address_id=str(uuid.uuid4()), rooms=rooms,
                photos=[{"sha256": "ab" * 32, "caption": "Gang", "room_id": rooms[0]["id"]}],
                manual_findings=[{"code": "VOCHT", "description": "Schimmel.", "room_id": None}])
    data["dwelling"]["storeys"] = 2
    return data


def outcome(load: Any, data: Any) -> tuple[str, str]:
    try:
        return "ok", json.dumps(load(data), default=str)  # key order counts: records are stored as JSON
    except ValidationError as err:
        return "invalid", json.dumps(err.messages, default=str)


def wire_outcome(load: Any, schema: Any, data: Any) -> tuple[tuple[str, str], tuple[str, str]]:
    """Return what load.wire gives and what to_wire(schema.load) gives, as JSON text (no default: JSON-ready)."""
    def text(read: Any) -> tuple[str, str]:
        try:
            return "ok", json.dumps(read())
        except ValidationError as err:
            return "invalid", json.dumps(err.messages, default=str)
    return text(lambda: load.wire(data)), text(lambda: to_wire(schema.load(data)))


ODD_VALUES: list[Any] = [
    None, True, False, 0, -0.0, 1, -1, 0.5, 2, 49, 50, 99, 100, 101, 500, 501, 999.9, 1000, 1000.5, 9999.99,
    10000, 2**62, 2**63, 10**400, 1e308, float("nan"), float("inf"), "", " ", "x", "pl", "PL", "p1", "a" * 81,
    "a" * 501, "a" * 2001, "granted", "submitted", "draft", "bedroom", "VOCHT", "vocht",
    "2026-11-17", "2026-02-30", "20261117", "2026-11-17T09:30:00", "2026-11-17T09:30:00Z",
    "2026-11-17T09:30:00+01:00", "2026-11-17T08:00:00+01:00", "2026-11-17 09:30", "09:30",
    "6F9619FF-8B86-D011-B42D-00CFFB0DA5F1", "6f9619ff8b86d011b42d00cffb0da5f1", "niet-een-uuid", "r1", "r0",
    "ab" * 32, "AB" * 32, [], [0], [0, 1], [None], ["x"], {}, {"pl": 1}, {"PL": 1}, {"pl": -1}, {"pl": "1"},
]


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value, containers included."""
    found = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            found += leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += leaves(v, (*path, i))
    return found


def mutate(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Return a copy with one to three random changes."""
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(leaves(data)[1:])
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        action = rng.random()
        if action < 0.6:
            parent[last] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action < 0.75:
            del parent[last]
        elif action < 0.85 and isinstance(parent, dict):
            parent[rng.choice(["extra", "Id", "version", "inspector_id", "created_at"])] = 1
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))  # a duplicate room id, photo or finding
        else:
            parent[last] = copy.deepcopy(rng.choice(ODD_VALUES))
    return data


def test_valid_inspections_take_the_fast_path_with_the_same_result() -> None:
    load = loader(inspection_schema)
    assert load.fast, "the inspection schema should compile"
    rng = random.Random(358)
    records = [inspection(rng) for _ in range(300)]
    records += [example(name)["inspection"] for name in ("compliant.json", "overbewoond.json", "geen-toegang.json")]
    for record in records:
        assert outcome(load, record) == outcome(inspection_schema.load, record)
        mine, theirs = wire_outcome(load, inspection_schema, record)
        assert mine == theirs and mine[0] == "ok"
        assert '"started_at":"' in mine[1].replace(" ", "")  # a time became text
    assert load.slow == 0


@pytest.mark.parametrize("seed", range(4))
def test_mutated_inspections_get_the_schemas_answer(seed: int) -> None:
    load = loader(inspection_schema)
    rng = random.Random(seed)
    answers = {"ok": 0, "invalid": 0}
    for _ in range(700):
        data = mutate(inspection(rng), rng)
        mine, theirs = outcome(load, data), outcome(inspection_schema.load, data)
        assert mine == theirs, data
        mine_wire, their_wire = wire_outcome(load, inspection_schema, data)
        assert mine_wire == their_wire
        answers[mine[0]] += 1
    assert answers["ok"] > 25 and answers["invalid"] > 300  # both paths were exercised


def test_not_data_at_all() -> None:
    load = loader(inspection_schema)
    for data in [None, [], "x", 1, [example("compliant.json")["inspection"]]]:
        assert outcome(load, data) == outcome(inspection_schema.load, data)


def test_push_batches_and_assignments() -> None:
    for schema in (push_schema, assignment_schema):
        load = loader(schema)
        assert load.fast, type(schema).__name__
    load = loader(push_schema)
    rng = random.Random(7)
    batch = {"protocol": 1, "mutations": [{"seq": i + 1, "entity": "inspection", "id": str(uuid.uuid4()),
                                           "op": "put", "base_version": None, "data": inspection(rng)}
                                          for i in range(20)]}
    assert outcome(load, batch) == outcome(push_schema.load, batch)
    for _ in range(300):
        broken = mutate(batch, rng)
        assert outcome(load, broken) == outcome(push_schema.load, broken)
        mine, theirs = wire_outcome(load, push_schema, broken)
        assert mine == theirs


def test_wire_form_of_a_schema_the_fast_path_leaves_alone() -> None:
    load = loader(address_schema)
    rng = random.Random(9)
    address = example("overbewoond.json")["address"]
    for data in [address, *(mutate(address, rng) for _ in range(200))]:
        mine, theirs = wire_outcome(load, address_schema, data)
        assert mine == theirs


def test_bounds_of_each_validator() -> None:
    class Bounds(BaseSchema):
        open_low = Float(validate=validate.Range(min=0, max=10, min_inclusive=False, max_inclusive=True))
        open_high = Int(validate=validate.Range(min=-5, max=5, max_inclusive=False))
        only_min = Int(validate=validate.Range(min=3))
        word = Str(validate=[validate.Length(min=2, max=4), validate.Regexp(r"[a-z]+$")])
        exact = Str(validate=validate.Length(equal=3))
        choice = Int(validate=validate.OneOf([1, 2]))

    schema = Bounds()
    load = loader(schema)
    assert load.fast
    values = [-6, -5, -0.0, 0, 0.0, 1e-9, 2, 3, 4.99, 5, 9.99, 10, 10.0, 10.01, True, None, "", "a", "ab", "abcd",
              "abcde", "AB", "ab1", "abc", 1, 1.0]
    for name in schema.fields:
        for value in values:
            assert outcome(load, {name: value}) == outcome(schema.load, {name: value}), (name, value)


def test_a_schema_with_hooks_it_does_not_know_is_left_to_marshmallow() -> None:
    class Hooked(Schema):
        name = fields.String()

        @pre_load
        def _strip(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            return {k: v.strip() for k, v in data.items()}

    schema = Hooked()
    load = loader(schema)
    assert not load.fast
    assert load({"name": " x "}) == {"name": "x"} and load.slow == 1
    assert not loader(address_schema).fast  # it normalises postcodes before loading


def test_json_text_is_what_json_would_write() -> None:
    import datetime as dt

    from schemas import jsontext

    rng = random.Random(3)
    for _ in range(50):
        record = inspection(rng)
        assert json.loads(jsontext.dumps(record)) == record
        assert jsontext.dumps(record) == json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    # What orjson will not write goes to json: the same text, or the same refusal.
    odd = {"rooms": {0: {"beds": ["Geen geldig geheel getal."]}}, "big": 2**70, "naïef": "€"}
    assert jsontext.dumps(odd) == json.dumps(odd, ensure_ascii=False, separators=(",", ":"))
    for value in (dt.date(2026, 11, 23), {"at": dt.datetime(2026, 11, 23, tzinfo=dt.UTC)}, object()):
        with pytest.raises(TypeError):
            jsontext.dumps(value)



def _read(reader: Any, text: str | bytes) -> Any:
    """Return what a reader gives for text, or its error as (type, message)."""
    try:
        return ("value", reader(text))
    except Exception as err:  # compared, not hidden
        return ("error", type(err).__name__, str(err))


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2}', "[1.0, 1e5, -0, -0.0, 0.1, 1e-7, 123456789012345678]",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551616",
    "-9223372036854775809", "12345678901234567890123", '{"kenmerk": "2026-0000000000000000001"}',
    "[1e400]", "NaN", "[Infinity, -Infinity]", '"\\ud800"', '"\\ud83d\\ude00 naïef €"', "\ufeff[]",
    "", "{", "[1,]", "{'a': 1}", "01", '{"a" 1}', "[" * 3000 + "]" * 3000, '"\udc80"',
])
def test_json_reading_is_what_json_would_read(text: str) -> None:
    from schemas import jsontext

    for given in (text, text.encode("utf-8", "surrogatepass"), text.encode("utf-16", "surrogatepass")):
        expected, got = _read(json.loads, given), _read(jsontext.loads, given)
        if expected[0] == "value" and expected[1] != expected[1]:  # NaN is not equal to itself
            assert got[0] == "value" and got[1] != got[1]
        else:
            assert got == expected
            assert json.dumps(got) == json.dumps(expected)  # 1 and 1.0, -0 and -0.0 told apart


def test_json_reading_round_trips_records() -> None:
    from schemas import jsontext

    rng = random.Random(4)
    for _ in range(50):
        text = jsontext.dumps(inspection(rng))
        assert jsontext.loads(text) == json.loads(text)
        assert jsontext.loads(text.encode()) == json.loads(text)


def _containers(value: Any) -> list[int]:
    """The ids of every dict and list inside a value."""
    if isinstance(value, dict):
        return [id(value), *(i for v in value.values() for i in _containers(v))]
    if isinstance(value, list):
        return [id(value), *(i for v in value for i in _containers(v))]
    return []


def test_wire_form_shares_nothing_with_the_input_or_the_schema() -> None:
    import datetime as dt

    from schemas.base import Date, List, Nested, Raw

    rng = random.Random(11)
    batch = {"protocol": 1, "mutations": [{"seq": 1, "entity": "inspection", "id": str(uuid.uuid4()), "op": "put",
                                           "base_version": None, "data": inspection(rng)}]}
    wired = loader(push_schema).wire(batch)
    assert not set(_containers(wired)) & set(_containers(batch))  # the Raw data was copied, as to_wire does

    class Period(BaseSchema):
        start = Date(load_default="2020-01-01")
        extra = Raw(load_default=None)

    class Plan(BaseSchema):
        period = Nested(Period, load_default={"start": dt.date(2021, 1, 1), "extra": None})
        periods = List(Nested(Period), load_default=list)

    schema = Plan()
    load = loader(schema)
    assert load.fast
    cases: list[dict[str, Any]] = [{}, {"period": {}}, {"periods": [{}, {"start": "2022-02-02"}]}]
    for data in cases:
        for _ in range(2):  # the second time would show a default changed in place by the first
            assert load.wire(data) == to_wire(schema.load(data))
    assert schema.load({})["period"]["start"] == dt.date(2021, 1, 1)



def with_evidence(rng: random.Random) -> dict[str, Any]:
    """A valid inspection that also records the fields of sync protocol 2 (entry, present, statements, ...)."""
    data = inspection(rng)
    rooms = data["rooms"]
    rooms.append({"id": "h1", "name": "Gang", "kind": "verkeersruimte", "storey": 0, "area_m2": None, "beds": None,
                  "occupants": None, "smoke_detector": rng.choice([None, True, False])})
    for room in rooms:
        if rng.random() < 0.5:
            room["smoke_detector"] = rng.choice([None, True, False])
    data["entry"] = rng.choice([None, {"consent_by": rng.choice([None, "bewoner", "hoofdbewoner"]),
                                       "legitimation_shown": rng.choice([None, True]), "purpose_stated": True,
                                       "machtiging": rng.choice([None, "M-2026-014"])}])
    data["present"] = [{"role": "toezichthouder", "count": 2, "user_ids": [str(uuid.uuid4())]},
                       {"role": rng.choice(["tolk", "verhuurder", "bewoner"]), "count": rng.choice([None, 1])}]
    data["statements"] = [{"by_role": "bewoner", "text": "Wij wonen hier met zijn negenen.",
                           "cautie_given": rng.choice([None, False, True])}]
    data["dwelling"]["floor_area_source"] = rng.choice([None, "bag", "gemeten", "opgave"])
    data["occupants"]["arbeidsmigranten"] = rng.choice([None, 0, 1, 2])
    data["facilities"]["wardrobe_outside_bedroom"] = rng.choice([None, True, False])
    data["fire_safety"]["smoke_detectors_tested_by"] = rng.choice([None, "testknop", "rookspray", "visueel"])
    data["tenancy"].update(landlord_stated=rng.choice([None, "Voorbeeld Vastgoed B.V."]),
                           lease_concluded_on=rng.choice([None, "2024-02-29"]),
                           info_in_own_language=rng.choice([None, True, False]))
    for photo in data["photos"]:
        photo["taken_at"] = rng.choice([None, "2026-12-03T10:01:00+01:00", "2026-12-03T09:01:00Z"])
    return data


def test_inspections_with_the_evidence_fields_take_the_fast_path_with_the_same_result() -> None:
    load = loader(inspection_schema)
    rng = random.Random(13)
    for _ in range(200):
        record = with_evidence(rng)
        assert outcome(load, record) == outcome(inspection_schema.load, record)
        mine, theirs = wire_outcome(load, inspection_schema, record)
        assert mine == theirs and mine[0] == "ok", mine
    assert load.slow == 0


@pytest.mark.parametrize("seed", range(2))
def test_mutated_evidence_fields_get_the_schemas_answer(seed: int) -> None:
    load = loader(inspection_schema)
    rng = random.Random(100 + seed)
    answers = {"ok": 0, "invalid": 0}
    for _ in range(500):
        data = mutate(with_evidence(rng), rng)
        mine, theirs = outcome(load, data), outcome(inspection_schema.load, data)
        assert mine == theirs, data
        mine_wire, their_wire = wire_outcome(load, inspection_schema, data)
        assert mine_wire == their_wire
        answers[mine[0]] += 1
    assert answers["ok"] > 25 and answers["invalid"] > 200
