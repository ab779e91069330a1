"""Which agency handles a report, and which agency supervises it (escalation), from the
:class:`~tinhso.feedback.models.RoutingRule` rows: behaviour per province, category or commune
is data, never an ``if`` on a name.

Resolution (most specific active rule first):

1. category + commune, 2. category (any commune), 3. commune (any category), 4. the default
   rule (neither), 5. no rule at all: the commune People's Committee.

The rule's target is either the People's Committee of the report's commune or a fixed agency. A
commune target without a commune (or a commune without a People's Committee) falls back to the
provincial People's Committee. The supervisor is the rule's ``supervisor``, else the handler's
parent agency, else the provincial People's Committee (never the handler itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from tinhso.core.errors import ValidationFailed
from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel

from .models import RoutingRule, RoutingTarget


@dataclass(frozen=True)
class Route:
    agency: Agency
    supervisor: Agency | None
    rule: RoutingRule | None


def _specificity(rule: RoutingRule) -> int:
    return (2 if rule.category_id else 0) + (1 if rule.commune_id else 0)


def rule_for(*, category, commune) -> RoutingRule | None:
    """The most specific active rule for ``category`` in ``commune`` (either may be None)."""
    cat_q = Q(category__isnull=True) | (Q(category=category) if category is not None else Q(pk__in=[]))
    com_q = Q(commune__isnull=True) | (Q(commune=commune) if commune is not None else Q(pk__in=[]))
    rules = list(
        RoutingRule.objects.filter(cat_q, com_q, is_active=True).select_related("agency", "supervisor")
    )
    if not rules:
        return None
    return max(rules, key=lambda r: (_specificity(r), -r.pk))


def provincial_committee() -> Agency | None:
    pcode = f"{int(settings.TINHSO_PROVINCE):02d}"
    return Agency.objects.filter(
        kind=AgencyKind.PEOPLES_COMMITTEE, level=AgencyLevel.PROVINCE, admin_unit__code=pcode, is_active=True
    ).order_by("pk").first()


def commune_committee(commune) -> Agency | None:
    if commune is None:
        return None
    return Agency.objects.filter(
        kind=AgencyKind.PEOPLES_COMMITTEE, level=AgencyLevel.COMMUNE, admin_unit=commune, is_active=True
    ).order_by("pk").first()


def supervisor_for(agency: Agency, rule: RoutingRule | None = None) -> Agency | None:
    candidates = [rule.supervisor if rule is not None else None, agency.parent, provincial_committee()]
    for candidate in candidates:
        if candidate is not None and candidate.is_active and candidate.pk != agency.pk:
            return candidate
    return None


def route(*, category, commune) -> Route:
    """The handler and supervisor of a new report; ValidationFailed("no_handler") when the
    province has no agency to send it to (orgs data not loaded)."""
    rule = rule_for(category=category, commune=commune)
    agency = None
    if rule is not None and rule.target == RoutingTarget.AGENCY and rule.agency and rule.agency.is_active:
        agency = rule.agency
    if agency is None:
        agency = commune_committee(commune) or provincial_committee()
    if agency is None:
        raise ValidationFailed(_("Chưa có cơ quan tiếp nhận phản ánh này, vui lòng thử lại sau."), code="no_handler")
    return Route(agency=agency, supervisor=supervisor_for(agency, rule), rule=rule)
