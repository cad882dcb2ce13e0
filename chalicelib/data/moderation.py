"""Access patterns for reports, the moderation queue and the audit trail.

- A **case** per reported target (`CASE#<type>#<id>` / `CASE`): how many reports, which reasons,
  the latest note. While open it carries GSI1 `MODQ` / `<opened at>#<type>#<id>`, so the queue is
  one Query of GSI1, oldest first; resolving the case removes the entry (a sparse index).
- A **report** per (reporter, target) in the case's partition: reporting twice is idempotent, and
  the report and the case's counters change in one transaction.
- The **audit trail** (`AUDIT` / `<time-ordered id>`): one item per moderation action, written in
  the same transaction as the action itself (no action without its entry) and never changed or
  deleted by any code path (tests/integration/test_moderation.py checks this module only puts it).

Cases and reports carry GSI4 `MEMBER#<id>` (keys.member_owned): a case for the member whose
content it is about, a report for its reporter. That is how erasure finds them (below); the
audit trail is kept (docs/privacy.md).

The queue and the trail are single partitions on purpose: moderation is a few actions a minute,
far below one partition's 1,000 writes a second; a busy deployment would shard `MODQ#<n>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.data import keys, ownership
from chalicelib.data.connection import Outcome, Tx, transact
from chalicelib.data.media import Upload, to_upload
from chalicelib.data.models import (
    AuditItem,
    CaseItem,
    CommentItem,
    FlintItem,
    PostItem,
    ReportItem,
    UploadItem,
    UserItem,
)
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.posts import PostRecord, to_post
from chalicelib.data.social import Comment, comment_record
from chalicelib.data.users import Member, to_member

OPEN, RESOLVED = "open", "resolved"
MEMBERS, SCREENING = "members", "screening"
REPORT, CASE = "report", "case"
# Kinds in GSI4 (keys.member_owned): cases about a member's content, reports a member filed.
CASE_KIND, REPORT_KIND = "case", "report"


@dataclass(frozen=True)
class Target:
    """What a report or action is about. A comment is addressed within its post."""

    type: str  # post | comment | member | upload
    id: str
    post_id: str | None = None


@dataclass(frozen=True)
class Case:
    target: Target
    author_id: str | None
    source: str
    status: str
    reports: int
    reasons: list[str]
    last_note: str | None
    opened_at: str | None
    last_reported_at: str | None
    resolution: str | None = None


@dataclass(frozen=True)
class AuditRecord:
    audit_id: str
    moderator_id: str
    action: str
    target: Target
    note: str | None
    created_at: str


@dataclass
class Subjects:
    """Whatever a page of cases (or one action) is about, in any state, read in one BatchGetItem."""

    cases: dict[Target, Case] = field(default_factory=dict)
    posts: dict[str, PostRecord] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)


def to_case(item: CaseItem) -> Case:
    return Case(
        target=Target(item.target_type, item.target_id, item.post_id),
        author_id=item.author_id,
        source=item.source or MEMBERS,
        status=item.status,
        reports=int(item.reports or 0),
        reasons=sorted(item.reasons or ()),
        last_note=item.last_note,
        opened_at=item.opened_at,
        last_reported_at=item.last_reported_at,
        resolution=item.resolution,
    )


def _case_opening(target: Target, author_id: str | None, source: str, at: str) -> list[Any]:
    """Actions that open (or keep open) a case: set once, reopened after a resolution."""
    entry = keys.moderation_queue_entry(at, target.type, target.id)
    actions = [
        CaseItem.entity.set(CaseItem),  # type: ignore[arg-type]
        CaseItem.target_type.set(target.type),
        CaseItem.target_id.set(target.id),
        CaseItem.status.set(OPEN),
        CaseItem.source.set(CaseItem.source | source),
        CaseItem.opened_at.set(CaseItem.opened_at | at),
        CaseItem.last_reported_at.set(at),
        CaseItem.GSI1PK.set(entry.pk),
        CaseItem.GSI1SK.set(CaseItem.GSI1SK | entry.sk),
    ]
    if target.post_id:
        actions.append(CaseItem.post_id.set(target.post_id))
    if author_id:
        owned = keys.member_owned(author_id, CASE_KIND, f"{target.type}#{target.id}")
        actions += [
            CaseItem.author_id.set(author_id),
            CaseItem.GSI4PK.set(owned.pk),
            CaseItem.GSI4SK.set(owned.sk),
        ]
    return actions


def file_report(
    target: Target, author_id: str | None, reporter_id: str, reason: str, text: str | None, at: str
) -> bool:
    """Record a member's report and open (or grow) the target's case; False if they had reported it."""
    report_key = keys.report(target.type, target.id, reporter_id)
    owned = keys.member_owned(reporter_id, REPORT_KIND, f"{target.type}#{target.id}")
    case_key = keys.moderation_case(target.type, target.id)
    actions = _case_opening(target, author_id, MEMBERS, at)
    actions += [CaseItem.reports.add(1), CaseItem.reasons.add({reason})]
    if text:
        actions.append(CaseItem.last_note.set(text))

    def write(tx: Tx) -> None:
        tx.put(
            ReportItem(
                report_key.pk,
                report_key.sk,
                GSI4PK=owned.pk,
                GSI4SK=owned.sk,
                target_type=target.type,
                target_id=target.id,
                post_id=target.post_id,
                reporter_id=reporter_id,
                reason=reason,
                text=text or None,
                created_at=at,
            ),
            condition=ReportItem.PK.does_not_exist(),
            label=REPORT,
        )
        tx.update(CaseItem(case_key.pk, case_key.sk), actions=actions)

    return transact(write).committed


def open_screening_case(tx: Tx, upload_id: str, owner_id: str, reasons: Iterable[str], at: str) -> None:
    """Add to a transaction: a case for an upload that screening held, in the queue at once."""
    key = keys.moderation_case("upload", upload_id)
    actions = _case_opening(Target("upload", upload_id), owner_id, SCREENING, at)
    reasons = set(reasons)
    if reasons:
        actions.append(CaseItem.reasons.add(reasons))
    tx.update(CaseItem(key.pk, key.sk), actions=actions)


def resolve_case(tx: Tx, target: Target, resolution: str, at: str) -> None:
    """Add to a transaction: close the open case on `target` and take it out of the queue."""
    key = keys.moderation_case(target.type, target.id)
    tx.update(
        CaseItem(key.pk, key.sk),
        actions=[
            CaseItem.status.set(RESOLVED),
            CaseItem.resolution.set(resolution),
            CaseItem.resolved_at.set(at),
            CaseItem.opened_at.remove(),
            CaseItem.GSI1PK.remove(),
            CaseItem.GSI1SK.remove(),
        ],
        condition=CaseItem.status == OPEN,
        label=CASE,
    )


def add_audit(tx: Tx, record: AuditRecord) -> None:
    """Add to a transaction: the action's audit entry (a new item; nothing ever updates it)."""
    key = keys.audit_entry(record.audit_id)
    tx.put(
        AuditItem(
            key.pk,
            key.sk,
            audit_id=record.audit_id,
            moderator_id=record.moderator_id,
            action=record.action,
            target_type=record.target.type,
            target_id=record.target.id,
            post_id=record.target.post_id,
            note=record.note,
            created_at=record.created_at,
        ),
        condition=AuditItem.PK.does_not_exist(),
        label="audit",
    )


def record_action(
    change: Callable[[Tx], None], audit: AuditRecord, *, resolve: bool, resolution: str
) -> Outcome:
    """One moderation action, atomically: the change itself (built by the entity's data module),
    the case's resolution when one is open, and the audit entry. A failed outcome names the change's
    own labels (the target was not in the state the action needs): nothing was written."""

    def write(tx: Tx) -> None:
        change(tx)
        if resolve:
            resolve_case(tx, audit.target, resolution, audit.created_at)
        add_audit(tx, audit)

    return transact(write)


def open_cases(limit: int, start: dict[str, Any] | None) -> Page:
    """The queue: open cases, oldest first (one Query of GSI1)."""
    results = FlintItem.gsi1.query(
        keys.MODERATION_QUEUE, limit=limit, page_size=limit, last_evaluated_key=start
    )
    return Page([to_case(i) for i in results if isinstance(i, CaseItem)], results.last_evaluated_key)


def _audit(item: AuditItem) -> AuditRecord:
    return AuditRecord(
        item.audit_id,
        item.moderator_id,
        item.action,
        Target(item.target_type, item.target_id, item.post_id),
        item.note,
        item.created_at,
    )


def audit_trail(limit: int, start: dict[str, Any] | None) -> Page:
    """Moderation actions, newest first (one Query)."""
    results = AuditItem.query(
        keys.AUDIT_TRAIL, scan_index_forward=False, limit=limit, page_size=limit, last_evaluated_key=start
    )
    return Page([_audit(i) for i in results], results.last_evaluated_key)


def subjects(
    targets: Iterable[Target], member_ids: Iterable[str] = (), *, with_cases: bool = False
) -> Subjects:
    """Targets in any state (hidden posts, held uploads, banned members), their cases if asked,
    and the given members' profiles: one consistent BatchGetItem (at most 100 keys)."""
    wanted: list[keys.Key] = []
    for target in targets:
        if with_cases:
            wanted.append(keys.moderation_case(target.type, target.id))
        if target.type == "post":
            wanted.append(keys.post(target.id))
        elif target.type == "comment" and target.post_id:
            wanted += [keys.comment(target.post_id, target.id), keys.post(target.post_id)]
        elif target.type == "member":
            wanted.append(keys.user(target.id))
        elif target.type == "upload":
            wanted.append(keys.upload(target.id))
    wanted += [keys.user(m) for m in member_ids]
    found = Subjects()
    for item in FlintItem.batch_get(list(dict.fromkeys(wanted)), consistent_read=True):
        if isinstance(item, CaseItem):
            case = to_case(item)
            found.cases[Target(case.target.type, case.target.id, case.target.post_id)] = case
        elif isinstance(item, PostItem):
            found.posts[item.post_id] = to_post(item)
        elif isinstance(item, CommentItem):
            found.comments[item.comment_id] = comment_record(item)
        elif isinstance(item, UserItem):
            found.members[item.user_id] = to_member(item)
        elif isinstance(item, UploadItem):
            found.uploads[item.upload_id] = to_upload(item)
    return found


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# The reports they filed, and the cases about what they made (or about them). The audit trail
# stays: it is the record of what moderators did (ids only; docs/privacy.md), see NOT_MEMBER_DATA.


@dataclass(frozen=True)
class FiledReport:
    target: Target
    reason: str
    text: str | None
    created_at: str


def _member_reports(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    page = ownership.find_owned(member_id, REPORT_KIND, limit, start)
    found = [i for i in ownership.load(page.items) if isinstance(i, ReportItem)]
    filed = [
        FiledReport(Target(i.target_type, i.target_id, i.post_id), i.reason, i.text, i.created_at)
        for i in found
    ]
    return Page(filed, page.last_key)


def _erase_report(member_id: str, filed: FiledReport) -> Erased:
    """The report goes and its case counts one report fewer (and drops the note if it was theirs)."""
    target = filed.target
    report_key = keys.report(target.type, target.id, member_id)
    case_key = keys.moderation_case(target.type, target.id)
    try:
        case: CaseItem | None = CaseItem.get(case_key.pk, case_key.sk, consistent_read=True)
    except CaseItem.DoesNotExist:
        case = None

    def write(tx: Tx) -> None:
        tx.delete(ReportItem(report_key.pk, report_key.sk), condition=ReportItem.PK.exists(), label=REPORT)
        if case is None:
            return
        actions: list[Any] = [CaseItem.reports.add(-1)]
        condition = CaseItem.PK.exists()
        if filed.text and case.last_note == filed.text:
            actions.append(CaseItem.last_note.remove())
            condition &= CaseItem.last_note == filed.text
        tx.update(CaseItem(case_key.pk, case_key.sk), actions=actions, condition=condition, label=CASE)

    outcome = transact(write)
    if outcome.committed or outcome.failed_on(REPORT):
        return Erased.GONE
    return Erased.WAIT  # the case changed between the read and the write: look again later


def _member_cases(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    page = ownership.find_owned(member_id, CASE_KIND, limit, start)
    return Page([to_case(i) for i in ownership.load(page.items) if isinstance(i, CaseItem)], page.last_key)


def _erase_case(member_id: str, case: Case) -> Erased:
    """What the case was about is erased with the member: the case goes, with the reports in it."""
    key = keys.moderation_case(case.target.type, case.target.id)
    ownership.delete((i.PK, i.SK) for i in FlintItem.query(key.pk, consistent_read=True))
    return Erased.GONE


def _case_json(case: Case) -> dict[str, Any]:
    # What was reported and what came of it; never who reported it or what they wrote.
    return {
        "target": {"type": case.target.type, "id": case.target.id, "post_id": case.target.post_id},
        "source": case.source,
        "status": case.status,
        "reasons": case.reasons,
        "resolution": case.resolution,
    }


ownership.register(
    OwnedKind(
        "reports",
        (ReportItem,),
        ("report",),
        _member_reports,
        _erase_report,
        lambda r: {
            "target": {"type": r.target.type, "id": r.target.id, "post_id": r.target.post_id},
            "reason": r.reason,
            "text": r.text,
            "created_at": r.created_at,
        },
    )
)
# After the posts, comments and uploads the cases are about (phase 1).
ownership.register(
    OwnedKind(
        "moderation_cases",
        (CaseItem,),
        ("moderation_case",),
        _member_cases,
        _erase_case,
        _case_json,
        phase=2,
    )
)
