"""The address lists' queries as SQLite plans them: the walk in postcode order and the planning's filters read
their answers from indexes (m021), not from each address's, inspection's or evaluation's record."""

from __future__ import annotations

from flask import Flask

from server import address_search
from server.address_search import Search
from server.db import get_db


def plan(app: Flask, search: Search) -> str:
    with app.app_context():
        sql, params = address_search.page_ids_sql(search)
        return "\n".join(r[3] for r in get_db().execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())


def test_walk_in_postcode_order_reads_no_address_record_and_sorts_nothing(app: Flask) -> None:
    for search in (Search(), Search(postcode="1431"), Search(location_type="lint", verified=False, include_gone=False),
                   Search(location_type=address_search.UNKNOWN_TYPE, page=40)):
        found = plan(app, search)
        assert "a USING COVERING INDEX addresses_list" in found, found
        assert "TEMP B-TREE" not in found, found


def test_never_inspected_is_answered_from_the_submitted_inspections_index(app: Flask) -> None:
    found = plan(app, Search(never_inspected=True))
    assert "COVERING INDEX addresses_list" in found, found
    assert "inspections_submitted_address (address_id=?)" in found, found


def test_brp_gap_reads_the_residents_counted_from_indexes(app: Flask) -> None:
    found = plan(app, Search(brp_gap=True, page=40))
    assert "INDEX addresses_list" in found, found
    assert "inspections_access_granted (address_id=?)" in found, found
    assert "COVERING INDEX evaluations_residents (inspection_id=?)" in found, found
    assert "TEMP B-TREE" not in found, found
