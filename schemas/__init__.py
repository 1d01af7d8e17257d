"""The shared contract: wire schemas, validators, norm sets and the norm engine.

Pure: no Flask, no database. The server and the field client both import it,
so the tablet judges an inspection offline exactly as the server does.
"""

from __future__ import annotations

from schemas.address import AddressSchema, address_schema
from schemas.assignment import AssignmentSchema, assignment_schema
from schemas.errors import ContractError, NormSetError, NormSetNotFound
from schemas.finding import FindingSchema, NotAssessedSchema, finding_schema, not_assessed_schema
from schemas.inspection import InspectionSchema, inspection_schema
from schemas.norm_engine import Evaluation, evaluate, residents
from schemas.norm_set import NormSetSchema, load_norm_sets, norm_set_schema, select_norm_set, shipped_norm_sets

__all__ = [
    "AddressSchema", "AssignmentSchema", "ContractError", "Evaluation", "FindingSchema", "InspectionSchema",
    "NormSetError", "NormSetNotFound", "NormSetSchema", "NotAssessedSchema", "address_schema",
    "assignment_schema", "evaluate", "finding_schema", "inspection_schema", "load_norm_sets",
    "norm_set_schema", "not_assessed_schema", "residents", "select_norm_set", "shipped_norm_sets",
]
