"""Database migrations: each runs once, in a transaction with the record that it ran.

Never drop or rewrite data here: add tables, columns and indexes.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("woontoezicht")

# Synced entities and the columns pulled out of their JSON for queries and scope.
ENTITY_TABLES: dict[str, dict[str, str]] = {
    "addresses": {"postcode": "TEXT", "huisnummer": "INTEGER", "location_type": "TEXT", "verified": "INTEGER",
                  "gemeentecode": "TEXT", "bag_id": "TEXT", "bag_gone_on": "TEXT"},
    "assignments": {"address_id": "TEXT", "inspector_id": "TEXT", "status": "TEXT", "week": "TEXT", "due": "TEXT"},
    "inspections": {"address_id": "TEXT", "inspector_id": "TEXT", "status": "TEXT", "assignment_id": "TEXT",
                    "started_at": "TEXT"},
}


@migrations()
def m001_users_and_devices(db: Database) -> None:
    db.execute("""CREATE TABLE users (
        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, role TEXT NOT NULL,
        password_hash TEXT, created_at TEXT NOT NULL, disabled_at TEXT)""")
    db.execute("""CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), token_hash TEXT NOT NULL UNIQUE,
        label TEXT, created_at TEXT NOT NULL, revoked_at TEXT, last_used_at TEXT)""")
    db.execute("""CREATE TABLE devices (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), label TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_seen_at TEXT, revoked_at TEXT,
        last_seq INTEGER NOT NULL DEFAULT 0)""")
    db.execute("""CREATE TABLE enrol_codes (
        code_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_by TEXT,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT, device_id TEXT)""")
    db.execute("""CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user_id TEXT, device_id TEXT,
        action TEXT NOT NULL, entity TEXT, record_id TEXT, remote_addr TEXT, detail TEXT)""")
    db.execute("CREATE INDEX audit_log_record ON audit_log(entity, record_id)")


@migrations()
def m002_records(db: Database) -> None:
    for table, columns in ENTITY_TABLES.items():
        extra = "".join(f", {name} {kind}" for name, kind in columns.items())
        db.execute(f"""CREATE TABLE {table} (
            id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            updated_by TEXT{extra})""")
    db.execute("CREATE INDEX addresses_postcode ON addresses(postcode, huisnummer)")
    db.execute("CREATE INDEX assignments_inspector ON assignments(inspector_id, status)")
    db.execute("CREATE INDEX assignments_address ON assignments(address_id)")
    db.execute("CREATE INDEX inspections_address ON inspections(address_id, started_at)")
    db.execute("CREATE INDEX inspections_inspector ON inspections(inspector_id, started_at)")
    # Every accepted change keeps the version it replaced.
    db.execute("""CREATE TABLE history (
        entity TEXT NOT NULL, record_id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL,
        deleted INTEGER NOT NULL, changed_at TEXT NOT NULL, changed_by TEXT,
        PRIMARY KEY (entity, record_id, version))""")
    # The server-wide change sequence: one row per record, moved to the end on every change.
    db.execute("""CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, record_id TEXT NOT NULL,
        address_id TEXT, owner_id TEXT, op TEXT NOT NULL, UNIQUE (entity, record_id))""")
    db.execute("CREATE INDEX changes_address ON changes(address_id, seq)")
    db.execute("CREATE INDEX changes_owner ON changes(owner_id, seq)")
    db.execute("""CREATE TABLE evaluations (
        inspection_id TEXT PRIMARY KEY, inspection_version INTEGER NOT NULL, norm_set_id TEXT,
        norm_set_version INTEGER, residents INTEGER, findings TEXT NOT NULL, not_assessed TEXT NOT NULL,
        computed_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE norm_sets (
        key TEXT PRIMARY KEY, id TEXT NOT NULL, version INTEGER NOT NULL, gemeentecode TEXT NOT NULL,
        valid_from TEXT NOT NULL, data TEXT NOT NULL, loaded_at TEXT NOT NULL)""")


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


@migrations()
def m003_sync(db: Database) -> None:
    # The outcome of every pushed mutation, so a retry gets the first answer.
    db.execute("""CREATE TABLE push_outcomes (
        device_id TEXT NOT NULL, seq INTEGER NOT NULL, entity TEXT, record_id TEXT, outcome TEXT NOT NULL,
        at TEXT NOT NULL, PRIMARY KEY (device_id, seq))""")
    # Two changes to one field: both values kept for the team lead.
    db.execute("""CREATE TABLE conflicts (
        id TEXT PRIMARY KEY, entity TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT,
        server_value TEXT, device_value TEXT, base_version INTEGER, device_id TEXT, user_id TEXT,
        reason TEXT NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT, resolved_by TEXT)""")
    db.execute("CREATE INDEX conflicts_open ON conflicts(resolved_at, created_at)")
    db.execute("""CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content_type TEXT NOT NULL, created_at TEXT NOT NULL,
        device_id TEXT, user_id TEXT)""")
    db.execute("""CREATE TABLE uploads (
        sha256 TEXT PRIMARY KEY, total INTEGER NOT NULL, received INTEGER NOT NULL, started_at TEXT NOT NULL,
        device_id TEXT, user_id TEXT)""")
    db.execute("""CREATE TABLE inspection_photos (
        inspection_id TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (inspection_id, sha256))""")
    db.execute("CREATE INDEX inspection_photos_sha ON inspection_photos(sha256)")


@migrations()
def m004_cases(db: Database) -> None:
    db.execute("""CREATE TABLE cases (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        updated_by TEXT, address_id TEXT, status TEXT, number TEXT UNIQUE)""")
    db.execute("CREATE INDEX cases_address ON cases(address_id)")
    db.execute("CREATE INDEX cases_status ON cases(status)")
    db.execute("CREATE TABLE case_numbers (year INTEGER PRIMARY KEY, last INTEGER NOT NULL)")
    # The timeline: every step with who and when; never updated, only added to.
    db.execute("""CREATE TABLE case_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, at TEXT NOT NULL, user_id TEXT,
        action TEXT NOT NULL, label TEXT NOT NULL, detail TEXT, document_id TEXT)""")
    db.execute("CREATE INDEX case_events_case ON case_events(case_id, id)")
    db.execute("""CREATE TABLE documents (
        id TEXT PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        letter_date TEXT NOT NULL, data TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT,
        sha256 TEXT, size INTEGER, approved_at TEXT, approved_by TEXT, sent_on TEXT, sent_by TEXT)""")
    db.execute("CREATE INDEX documents_case ON documents(case_id, created_at)")
    # Evidence is never changed: refuse updates to an approved document's content in the database itself.
    db.execute("""CREATE TRIGGER documents_frozen BEFORE UPDATE ON documents
        WHEN OLD.status = 'approved' AND (NEW.data IS NOT OLD.data OR NEW.sha256 IS NOT OLD.sha256
             OR NEW.kind IS NOT OLD.kind OR NEW.letter_date IS NOT OLD.letter_date
             OR NEW.status IS NOT OLD.status OR (OLD.sent_on IS NOT NULL AND NEW.sent_on IS NOT OLD.sent_on))
        BEGIN SELECT RAISE(ABORT, 'document is frozen'); END""")
    db.execute("""CREATE TRIGGER documents_kept BEFORE DELETE ON documents WHEN OLD.status = 'approved'
        BEGIN SELECT RAISE(ABORT, 'document is frozen'); END""")


@migrations()
def m005_document_kenmerk(db: Database) -> None:
    # The reference a letter carries (Ons kenmerk), fixed when the concept is made.
    db.execute("ALTER TABLE documents ADD COLUMN kenmerk TEXT")
    db.execute("CREATE UNIQUE INDEX documents_kenmerk ON documents(kenmerk)")


@migrations()
def m006_sync_scope_and_devices(db: Database) -> None:
    # A retried seq must carry the same mutation: its fingerprint is kept with its outcome.
    db.execute("ALTER TABLE push_outcomes ADD COLUMN fingerprint TEXT")
    # What the tablet reported of its outbox with its last pull; whether revoking wipes it.
    db.execute("ALTER TABLE devices ADD COLUMN outbox_size INTEGER")
    db.execute("ALTER TABLE devices ADD COLUMN outbox_oldest_at TEXT")
    db.execute("ALTER TABLE devices ADD COLUMN outbox_reported_at TEXT")
    db.execute("ALTER TABLE devices ADD COLUMN wipe_on_revoke INTEGER NOT NULL DEFAULT 1")
    # Failed sign-ins, token and code guesses, counted per key (client address, user, code) in the
    # database, so that every process sees them.
    db.execute("""CREATE TABLE auth_failures (
        key TEXT PRIMARY KEY, failures INTEGER NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT NULL,
        blocked_until TEXT, logged_at TEXT)""")
    # Done assignments leave a user's scope after SCOPE_DONE_DAYS; the sweep remembers how far it got.
    db.execute("CREATE TABLE scope_sweeps (user_id TEXT PRIMARY KEY, cutoff TEXT NOT NULL)")
    db.execute("CREATE INDEX addresses_bag_id ON addresses(bag_id)")
    db.execute("CREATE INDEX assignments_inspector_updated ON assignments(inspector_id, updated_at)")
    db.execute("ALTER TABLE api_tokens ADD COLUMN last_used_from TEXT")
    # The offline address register: one change row per address, for every tablet.
    db.execute("INSERT INTO changes (entity, record_id, address_id, owner_id, op) "
               "SELECT 'register', id, NULL, NULL, CASE WHEN deleted THEN 'delete' ELSE 'put' END "
               "FROM addresses ORDER BY id")


@migrations()
def m007_attachment_owners_and_partials(db: Database) -> None:
    # Who uploaded each attachment: a second user who uploads the same bytes owns it too, and only
    # owners learn that the server has a hash. Uploads so far keep their uploader.
    db.execute("""CREATE TABLE attachment_owners (
        sha256 TEXT NOT NULL, user_id TEXT NOT NULL, device_id TEXT, created_at TEXT NOT NULL,
        PRIMARY KEY (sha256, user_id))""")
    db.execute("INSERT INTO attachment_owners (sha256, user_id, device_id, created_at) "
               "SELECT sha256, user_id, device_id, created_at FROM attachments WHERE user_id IS NOT NULL")
    # A partial upload belongs to the token that started it: one per (sha256, owner), with the bytes
    # safely on disk (the offset to resume from) and the time of its last chunk (it expires). The
    # old uploads table (one partial per hash, for anyone) is left as it was and no longer used;
    # tablets start those uploads again, and the expiry job removes the files left behind.
    db.execute("""CREATE TABLE partial_uploads (
        sha256 TEXT NOT NULL, owner TEXT NOT NULL, total INTEGER NOT NULL, received INTEGER NOT NULL,
        started_at TEXT NOT NULL, updated_at TEXT NOT NULL, device_id TEXT, user_id TEXT,
        PRIMARY KEY (sha256, owner))""")
    db.execute("CREATE INDEX partial_uploads_owner ON partial_uploads(owner)")
    db.execute("CREATE INDEX partial_uploads_updated ON partial_uploads(updated_at)")


@migrations()
def m008_officials(db: Database) -> None:
    # What letters and rapporten print of an official (DESIGN.md user); login names stay for signing in.
    for column in ("full_name", "function_title", "email", "phone", "aanwijzing", "legitimation_no"):
        db.execute(f"ALTER TABLE users ADD COLUMN {column} TEXT")


@migrations()
def m009_parties(db: Database) -> None:
    # Whom letters go to: versioned records like the synced ones (history kept), but never synced.
    db.execute("""CREATE TABLE parties (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        updated_by TEXT, kind TEXT, name TEXT, kvk TEXT)""")
    db.execute("CREATE INDEX parties_name ON parties(name COLLATE NOCASE)")
    db.execute("CREATE INDEX parties_kvk ON parties(kvk)")
    # A party's role at an address from a date until (not including) a date; ended, never deleted.
    db.execute("""CREATE TABLE address_parties (
        id TEXT PRIMARY KEY, address_id TEXT NOT NULL, party_id TEXT NOT NULL REFERENCES parties(id),
        role TEXT NOT NULL, from_date TEXT, until_date TEXT, created_at TEXT NOT NULL, created_by TEXT,
        updated_at TEXT NOT NULL, updated_by TEXT)""")
    db.execute("CREATE INDEX address_parties_address ON address_parties(address_id, role)")
    db.execute("CREATE INDEX address_parties_party ON address_parties(party_id)")
    db.execute("""CREATE TRIGGER address_parties_kept BEFORE DELETE ON address_parties
        BEGIN SELECT RAISE(ABORT, 'a party link is ended (until), never deleted'); END""")


@migrations()
def m010_landlords_become_parties(db: Database) -> None:
    # Every distinct free-text landlord and employer_or_agency becomes a party without a postal address,
    # linked to its addresses; the two fields then leave the address's live data, as a new version whose
    # predecessor (with the names) stays in history. Tablets receive the new version.
    import datetime as dt
    import json
    import uuid

    from server.parties import employer_role, guess_kind, same_name

    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    actor = "migration:m010_landlords_become_parties"
    made: dict[str, str] = {}
    for row in db.execute("SELECT id, version, data, deleted, updated_at, updated_by FROM addresses "
                          "ORDER BY id").fetchall():
        record_id, version, text, deleted, updated_at, updated_by = row
        data = json.loads(text)
        if "landlord" not in data and "employer_or_agency" not in data:
            continue
        for field, role in (("landlord", "verhuurder"), ("employer_or_agency", None)):
            name = " ".join(str(data.get(field) or "").split())
            if not name:
                continue
            key = same_name(name)
            if key not in made:
                made[key] = str(uuid.uuid4())
                party = {"kind": guess_kind(name), "name": name, "kvk": None, "postal_address": None, "email": None}
                db.execute("INSERT INTO parties (id, version, data, deleted, created_at, updated_at, updated_by, kind, "
                           "name, kvk) VALUES (?, 1, ?, 0, ?, ?, ?, ?, ?, NULL)",
                           [made[key], json.dumps(party, ensure_ascii=False, separators=(",", ":")), stamp, stamp,
                            actor, party["kind"], name])
            db.execute("INSERT INTO address_parties (id, address_id, party_id, role, from_date, until_date, "
                       "created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)",
                       [str(uuid.uuid4()), record_id, made[key], role or employer_role(name), stamp, actor, stamp,
                        actor])
        db.execute("INSERT INTO history (entity, record_id, version, data, deleted, changed_at, changed_by) "
                   "VALUES ('address', ?, ?, ?, ?, ?, ?)", [record_id, version, text, deleted, updated_at, updated_by])
        live = {k: v for k, v in data.items() if k not in ("landlord", "employer_or_agency")}
        db.execute("UPDATE addresses SET version = ?, data = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                   [version + 1, json.dumps(live, ensure_ascii=False, separators=(",", ":")), stamp, actor, record_id])
        db.execute("INSERT OR REPLACE INTO changes (entity, record_id, address_id, owner_id, op) VALUES "
                   "('address', ?, ?, NULL, ?)", [record_id, record_id, "delete" if deleted else "put"])


@migrations()
def m011_documents_of_inspections_and_dispatch(db: Database) -> None:
    # A rapport van bevindingen belongs to its inspection (DESIGN.md document): case_id becomes optional
    # and inspection_id is added. A document may be a version of another (the rapport for the
    # verhuurder, frozen with the rapport it is made from). Sending records how and with which proof;
    # approving records the unverified voorschriften the approver confirmed. SQLite cannot relax a NOT
    # NULL column, so the table is built anew with every row, and its freeze triggers with it.
    db.execute("DROP TRIGGER documents_frozen")
    db.execute("DROP TRIGGER documents_kept")
    db.execute("ALTER TABLE documents RENAME TO documents_before_m011")
    db.execute("""CREATE TABLE documents (
        id TEXT PRIMARY KEY, case_id TEXT, inspection_id TEXT, kind TEXT NOT NULL, status TEXT NOT NULL,
        letter_date TEXT NOT NULL, data TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT,
        sha256 TEXT, size INTEGER, approved_at TEXT, approved_by TEXT, sent_on TEXT, sent_by TEXT,
        kenmerk TEXT, version_of TEXT, dispatch_method TEXT, dispatch_reference TEXT, sent_at TEXT,
        confirmed TEXT)""")
    db.execute("""INSERT INTO documents (id, case_id, inspection_id, kind, status, letter_date, data, created_at,
        created_by, sha256, size, approved_at, approved_by, sent_on, sent_by, kenmerk)
        SELECT id, case_id, CASE WHEN kind = 'rapport' THEN json_extract(data, '$.params.inspection_id') END, kind,
        status, letter_date, data, created_at, created_by, sha256, size, approved_at, approved_by, sent_on, sent_by,
        kenmerk FROM documents_before_m011""")
    db.execute("DROP TABLE documents_before_m011")
    db.execute("CREATE INDEX documents_case ON documents(case_id, created_at)")
    db.execute("CREATE INDEX documents_inspection ON documents(inspection_id, kind)")
    db.execute("CREATE UNIQUE INDEX documents_kenmerk ON documents(kenmerk)")
    # Evidence is never changed: refuse updates to an approved document's content in the database itself.
    db.execute("""CREATE TRIGGER documents_frozen BEFORE UPDATE ON documents
        WHEN OLD.status = 'approved' AND (NEW.data IS NOT OLD.data OR NEW.sha256 IS NOT OLD.sha256
             OR NEW.kind IS NOT OLD.kind OR NEW.letter_date IS NOT OLD.letter_date
             OR NEW.status IS NOT OLD.status OR NEW.case_id IS NOT OLD.case_id
             OR NEW.inspection_id IS NOT OLD.inspection_id OR NEW.confirmed IS NOT OLD.confirmed
             OR (OLD.sent_on IS NOT NULL AND (NEW.sent_on IS NOT OLD.sent_on
                 OR NEW.dispatch_method IS NOT OLD.dispatch_method
                 OR NEW.dispatch_reference IS NOT OLD.dispatch_reference)))
        BEGIN SELECT RAISE(ABORT, 'document is frozen'); END""")
    db.execute("""CREATE TRIGGER documents_kept BEFORE DELETE ON documents WHEN OLD.status = 'approved'
        BEGIN SELECT RAISE(ABORT, 'document is frozen'); END""")
    # When a step took legal effect (a letter's date, the day a zienswijze came in), beside when it was recorded.
    db.execute("ALTER TABLE case_events ADD COLUMN effective_on TEXT")
    # Boetes imposed before the system, entered by hand, and those this system imposed: the repeat maximum
    # needs an earlier boete for the same violation by the same overtreder.
    db.execute("""CREATE TABLE boetes (
        id TEXT PRIMARY KEY, party_id TEXT, code TEXT NOT NULL, imposed_on TEXT NOT NULL, kenmerk TEXT NOT NULL,
        irrevocable_on TEXT, amount TEXT, case_id TEXT, document_id TEXT, source TEXT NOT NULL,
        created_at TEXT NOT NULL, created_by TEXT)""")
    db.execute("CREATE INDEX boetes_party ON boetes(party_id, code)")
    db.execute("CREATE TABLE rapport_numbers (year INTEGER PRIMARY KEY, last INTEGER NOT NULL)")


@migrations()
def m012_jobs(db: Database) -> None:
    # Every run of a scheduled job, by period: what it did or why it failed (DESIGN.md Scheduled jobs).
    db.execute("""CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, period TEXT NOT NULL, trigger TEXT NOT NULL,
        started_at TEXT NOT NULL, finished_at TEXT, outcome TEXT NOT NULL, counts TEXT, message TEXT,
        files TEXT, report TEXT, requested_by TEXT, holder TEXT)""")
    db.execute("CREATE INDEX job_runs_name ON job_runs(name, period, outcome)")
    # One row per running job: its holder and a lease that expires, so a scheduler that died does not block.
    db.execute("""CREATE TABLE job_locks (
        name TEXT PRIMARY KEY, holder TEXT NOT NULL, run_id INTEGER, taken_at TEXT NOT NULL,
        leased_until TEXT NOT NULL)""")
    # Runs the office pages asked for; the scheduler takes them within a tick.
    db.execute("""CREATE TABLE job_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, period TEXT, requested_at TEXT NOT NULL,
        requested_by TEXT, taken_at TEXT, run_id INTEGER)""")
    db.execute("CREATE INDEX job_queue_waiting ON job_queue(taken_at, id)")
    # What the deadlines job found late or due soon, for the dashboard: raised once, cleared when resolved.
    db.execute("""CREATE TABLE deadline_flags (
        id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL DEFAULT '',
        due TEXT, message TEXT NOT NULL, raised_on TEXT NOT NULL, cleared_on TEXT)""")
    db.execute("CREATE UNIQUE INDEX deadline_flags_open ON deadline_flags(case_id, kind, code) "
               "WHERE cleared_on IS NULL")


@migrations()
def m014_retention(db: Database) -> None:
    # One row per destroyed item (a closed case or an inspection that never had one): what it was (entity, id,
    # number or kenmerk, and the ids and kenmerken destroyed with it), by which Selectielijst rule, when and by
    # whom. Nothing else about the item stays (DESIGN.md Scheduled jobs: retention).
    db.execute("""CREATE TABLE destructions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, record_id TEXT NOT NULL, reference TEXT,
        category TEXT NOT NULL, rule TEXT NOT NULL, term_years INTEGER NOT NULL, due_since TEXT NOT NULL,
        parts TEXT NOT NULL, destroyed_at TEXT NOT NULL, destroyed_by TEXT NOT NULL)""")
    db.execute("CREATE INDEX destructions_record ON destructions(entity, record_id)")
    # Filled by server.destruction inside its own transaction and emptied before it commits: while it holds a
    # row, that transaction (and no other connection, which cannot see an uncommitted row) may delete frozen
    # evidence. Only the retention function writes it.
    db.execute("CREATE TABLE retention_unlock (id INTEGER PRIMARY KEY CHECK (id = 1), actor TEXT NOT NULL, "
               "since TEXT NOT NULL)")
    # Files (photos, print copies, frozen PDFs) whose records were destroyed, removed once the destruction has
    # committed; a destruction that stopped before removing them finishes the job on the next run.
    db.execute("CREATE TABLE destruction_files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, kind TEXT NOT NULL)")
    # An approved document is still never deleted, except by the retention function. The update trigger
    # (documents_frozen) stays as it is: retention deletes documents, it never changes one; and party links
    # (address_parties_kept) are master data that retention keeps, so that trigger stays too.
    db.execute("DROP TRIGGER documents_kept")
    db.execute("""CREATE TRIGGER documents_kept BEFORE DELETE ON documents
        WHEN OLD.status = 'approved' AND NOT EXISTS (SELECT 1 FROM retention_unlock)
        BEGIN SELECT RAISE(ABORT, 'document is frozen'); END""")


@migrations()
def m013_bag_facts(db: Database) -> None:
    # The day an address left the BAG (import bag --full): figures leave such addresses out, so it is a column.
    # A database made after this column joined ENTITY_TABLES has it from m002 already.
    if "bag_gone_on" not in db["addresses"].columns_dict:
        db.execute("ALTER TABLE addresses ADD COLUMN bag_gone_on TEXT")
        db.execute("UPDATE addresses SET bag_gone_on = json_extract(data, '$.bag_gone_on') "
                   "WHERE json_extract(data, '$.bag_gone_on') IS NOT NULL")
    # An import too large for one short write transaction is written in chunks; this row, committed before the
    # first chunk, says the whole file is to be stored and how far that got, so an import that stopped halfway is
    # finished (from its staging file) before the next one starts: all of the file, never a part.
    db.execute("""CREATE TABLE import_batches (
        id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, source TEXT NOT NULL, staging TEXT NOT NULL,
        total INTEGER NOT NULL, applied_through INTEGER NOT NULL, actor TEXT, started_at TEXT NOT NULL,
        finished_at TEXT, note TEXT)""")


@migrations()
def m015_office_sign_in(db: Database) -> None:
    # A user made or reset with a temporary password chooses his own at the first sign-in to the office pages.
    db.execute("ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0")


@migrations()
def m016_office_page_indexes(db: Database) -> None:
    # The office's address search finds a street by its first letters (any case) through this index on the
    # street in the record's JSON; the planning's week view reads a week's visits by week or by due date.
    db.execute("CREATE INDEX addresses_straat ON addresses(json_extract(data, '$.straat') COLLATE NOCASE, huisnummer)")
    db.execute("CREATE INDEX assignments_week ON assignments(week, inspector_id)")
    db.execute("CREATE INDEX assignments_due ON assignments(due, inspector_id)")


@migrations()
def m017_audit_log_filters_and_dashboard_figures(db: Database) -> None:
    # The Logboek lists the audit log newest first (by time, then id) filtered by user, action, kind of record or
    # period; each index ends in the row id, so a page of 50 is read in index order however many million rows
    # there are (one record's entries are found through audit_log_record).
    db.execute("CREATE INDEX audit_log_at ON audit_log(at)")
    db.execute("CREATE INDEX audit_log_user ON audit_log(user_id, at)")
    db.execute("CREATE INDEX audit_log_action ON audit_log(action, at)")
    db.execute("CREATE INDEX audit_log_entity ON audit_log(entity, at)")
    # The dashboard's figures (server.figures, seconds over a large database), computed by the scheduler at
    # most every DASHBOARD_FIGURES_MINUTES and kept per week with when they were computed.
    db.execute("""CREATE TABLE dashboard_figures (
        week TEXT PRIMARY KEY, computed_at TEXT NOT NULL, today TEXT NOT NULL, figures TEXT NOT NULL)""")


@migrations()
def m018_inspections_submitted_per_address(db: Database) -> None:
    # Whether an address was ever inspected and when last (the office's address lists and the planning's
    # "never inspected" filter), answered from this index alone instead of reading each inspection's record.
    db.execute("CREATE INDEX inspections_submitted ON inspections(address_id, status, deleted, started_at)")


@migrations()
def m019_inspections_newest_submitted(db: Database) -> None:
    # The office's "open a case" page lists the newest submitted inspections; this index reads them in date order
    # instead of sorting every submitted inspection.
    db.execute("CREATE INDEX inspections_newest ON inspections(status, started_at)")


@migrations()
def m020_web_sessions(db: Database) -> None:
    # Each office sign-in is a row: signing out (or a password change, for his other sessions) ends it here,
    # so a copied cookie is worth nothing afterwards. The cookie holds a random id; the table only its hash.
    db.execute("""CREATE TABLE web_sessions (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL, ended_at TEXT)""")
    db.execute("CREATE INDEX web_sessions_user ON web_sessions(user_id) WHERE ended_at IS NULL")


@migrations()
def m021_office_list_covering_indexes(db: Database) -> None:
    # The office's address lists walk the addresses in postcode order and test their filters per row: with every
    # column they test in this index (the BRP count too, read from the index where a filter names the same
    # expression) the walk reads no address record (the old one made SQLite read each row and sort by id). The
    # planning's filters probe per address: "never inspected" any submitted inspection, the BRP gap the residents
    # of the newest one with access (its evaluation's count, from the index), "open case" the address's cases;
    # these indexes answer each probe without reading the inspection's or evaluation's record.
    db.execute("CREATE INDEX IF NOT EXISTS addresses_list ON addresses(postcode, huisnummer, id, deleted, bag_gone_on, "
               "location_type, verified, json_extract(data, '$.brp_registered'))")
    db.execute("CREATE INDEX IF NOT EXISTS inspections_submitted_address ON inspections(address_id) "
               "WHERE status = 'submitted' AND deleted = 0")
    db.execute("CREATE INDEX IF NOT EXISTS inspections_access_granted ON inspections(address_id, started_at, id, "
               "json_extract(data, '$.access')) "
               "WHERE status = 'submitted' AND deleted = 0 AND json_extract(data, '$.access') = 'granted'")
    db.execute("CREATE INDEX IF NOT EXISTS evaluations_residents ON evaluations(inspection_id, residents)")
    db.execute("CREATE INDEX IF NOT EXISTS cases_address_open ON cases(address_id, status, deleted)")


@migrations()
def m022_cases_by_inspection(db: Database) -> None:
    # The office's "open a case" page asks which of the newest inspections an open case was opened from: this index
    # answers it for those inspections alone instead of reading every open case's record.
    db.execute("CREATE INDEX IF NOT EXISTS cases_inspection ON cases(json_extract(data, '$.inspection_id'), status, "
               "deleted)")


@migrations()
def m023_dashboard_open_cases_by_stand(db: Database) -> None:
    # The dashboard counts the open cases per stand: their tracks (and whether they have lasten) from this index,
    # and whether their address is still in the BAG from the next, instead of reading each case and address record.
    db.execute("CREATE INDEX IF NOT EXISTS cases_stand ON cases(status, deleted, json_extract(data, '$.tracks'), "
               "json_type(data, '$.lasten'), address_id)")
    db.execute("CREATE INDEX IF NOT EXISTS addresses_live ON addresses(id, deleted, bag_gone_on)")
