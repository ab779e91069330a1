from django import template

from tinhso.payments.formatting import format_vnd

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """``{{ 150000|vnd }}`` → ``150.000 đ``."""
    try:
        return format_vnd(int(amount))
    except (TypeError, ValueError):
        return ""
