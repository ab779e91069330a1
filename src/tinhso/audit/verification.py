"""Walks the audit chain and reports every altered, inserted or deleted event."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from tinhso.audit.hashing import event_hash
from tinhso.audit.models import AuditChainHead, AuditEvent


@dataclass
class Problem:
    kind: str  # altered | deleted | inserted | head
    message: str
    seq: int | None = None
    public_id: str | None = None
    action: str | None = None


@dataclass
class VerifyResult:
    count: int = 0
    last_seq: int = 0
    last_hash: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "count": self.count,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "problems": [asdict(p) for p in self.problems],
        }


def _name(event: AuditEvent) -> str:
    return f"seq={event.seq} public_id={event.public_id} action={event.action}"


def verify_chain(*, chunk_size: int = 2000) -> VerifyResult:
    """Check every event in chain order (id): its own hash, its link to the predecessor, a
    continuous ``seq`` from 1, and that the chain head matches the last event."""
    result = VerifyResult()
    expected_seq = 1
    prev_hash = ""
    fields = ("id", "seq", "public_id", "occurred_at", "actor_repr", "action", "object_type", "object_id",
              "object_repr", "ip", "user_agent", "details", "prev_hash", "hash")
    events = AuditEvent.objects.order_by("id").only(*fields).iterator(chunk_size=chunk_size)
    for event in events:
        result.count += 1
        problems = result.problems
        if event_hash(event) != event.hash:
            problems.append(Problem("altered", f"{_name(event)}: nội dung bị sửa (hash không khớp)",
                                    event.seq, str(event.public_id), event.action))
        if event.seq > expected_seq:
            missing = f"{expected_seq}" if event.seq == expected_seq + 1 else f"{expected_seq}..{event.seq - 1}"
            problems.append(Problem("deleted", f"{_name(event)}: thiếu sự kiện seq {missing} ngay trước (bị xóa)",
                                    event.seq, str(event.public_id), event.action))
        elif event.seq < expected_seq:
            problems.append(Problem("inserted", f"{_name(event)}: seq lặp lại hoặc sai thứ tự (bị chèn)",
                                    event.seq, str(event.public_id), event.action))
        elif event.prev_hash != prev_hash:
            problems.append(Problem("inserted", f"{_name(event)}: prev_hash không khớp sự kiện trước (bị chèn hoặc sửa)",
                                    event.seq, str(event.public_id), event.action))
        expected_seq = max(expected_seq, event.seq) + 1
        prev_hash = event.hash
        result.last_seq = event.seq
        result.last_hash = event.hash

    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, "")
    if (head_seq, head_hash) != (result.last_seq, result.last_hash):
        if head_seq > result.last_seq:
            message = (f"đầu chuỗi ghi seq={head_seq} nhưng sự kiện cuối là seq={result.last_seq}: "
                       f"sự kiện cuối bị xóa")
            kind = "deleted"
        else:
            message = (f"đầu chuỗi ghi seq={head_seq} hash={head_hash[:12]} nhưng sự kiện cuối là "
                       f"seq={result.last_seq} hash={result.last_hash[:12]}: có sự kiện bị chèn hoặc sửa ở cuối")
            kind = "head"
        result.problems.append(Problem(kind, message, head_seq))
    return result
