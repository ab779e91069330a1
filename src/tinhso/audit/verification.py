"""Walks the audit chains and reports every altered, inserted or deleted event."""

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
    chain: int | None = None


@dataclass
class ChainState:
    count: int = 0
    last_seq: int = 0
    last_hash: str = ""


@dataclass
class VerifyResult:
    count: int = 0
    chains: dict[int, ChainState] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def last_seq(self) -> int:
        """The highest sequence number over all chains (the whole trail when there is one chain)."""
        return max((c.last_seq for c in self.chains.values()), default=0)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "count": self.count,
            "last_seq": self.last_seq,
            "chains": {str(n): asdict(c) for n, c in sorted(self.chains.items())},
            "problems": [asdict(p) for p in self.problems],
        }


def _name(event: AuditEvent) -> str:
    return f"chain={event.chain} seq={event.seq} public_id={event.public_id} action={event.action}"


def _problem(kind: str, message: str, event: AuditEvent) -> Problem:
    return Problem(kind, message, event.seq, str(event.public_id), event.action, event.chain)


def verify_chain(*, chunk_size: int = 2000) -> VerifyResult:
    """Check every event of every chain in append order (id): its own hash, its link to its
    predecessor in the chain, a continuous ``seq`` from 1 per chain, and that each chain head
    matches the chain's last event (and that no chain has events without a head, or the
    reverse)."""
    result = VerifyResult()
    fields = ("id", "chain", "seq", "public_id", "occurred_at", "actor_repr", "action", "object_type", "object_id",
              "object_repr", "ip", "user_agent", "details", "prev_hash", "hash")
    events = AuditEvent.objects.order_by("chain", "id").only(*fields).iterator(chunk_size=chunk_size)
    for event in events:
        result.count += 1
        state = result.chains.setdefault(event.chain, ChainState())
        expected_seq = state.last_seq + 1
        problems = result.problems
        if event_hash(event) != event.hash:
            problems.append(_problem("altered", f"{_name(event)}: nội dung bị sửa (hash không khớp)", event))
        if event.seq > expected_seq:
            missing = f"{expected_seq}" if event.seq == expected_seq + 1 else f"{expected_seq}..{event.seq - 1}"
            problems.append(_problem("deleted", f"{_name(event)}: thiếu sự kiện seq {missing} ngay trước (bị xóa)",
                                     event))
        elif event.seq < expected_seq:
            problems.append(_problem("inserted", f"{_name(event)}: seq lặp lại hoặc sai thứ tự (bị chèn)", event))
        elif event.prev_hash != state.last_hash:
            problems.append(_problem(
                "inserted", f"{_name(event)}: prev_hash không khớp sự kiện trước (bị chèn hoặc sửa)", event))
        state.count += 1
        state.last_seq = max(state.last_seq, event.seq)
        state.last_hash = event.hash

    heads = {h.pk: h for h in AuditChainHead.objects.all()}
    for chain in sorted(set(heads) | set(result.chains)):
        state = result.chains.get(chain, ChainState())
        head = heads.get(chain)
        head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, "")
        if (head_seq, head_hash) == (state.last_seq, state.last_hash):
            continue
        if head is None:
            message = (f"chuỗi {chain}: có {state.count} sự kiện nhưng không có đầu chuỗi "
                       f"(đầu chuỗi bị xóa hoặc sự kiện bị chèn)")
            kind = "head"
        elif head_seq > state.last_seq:
            message = (f"chuỗi {chain}: đầu chuỗi ghi seq={head_seq} nhưng sự kiện cuối là seq={state.last_seq}: "
                       f"sự kiện cuối bị xóa")
            kind = "deleted"
        else:
            message = (f"chuỗi {chain}: đầu chuỗi ghi seq={head_seq} hash={head_hash[:12]} nhưng sự kiện cuối là "
                       f"seq={state.last_seq} hash={state.last_hash[:12]}: có sự kiện bị chèn hoặc sửa ở cuối")
            kind = "head"
        result.problems.append(Problem(kind, message, head_seq, chain=chain))
    return result
