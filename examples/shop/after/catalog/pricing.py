"""Pure pricing helpers: no I/O, no database."""

from decimal import ROUND_HALF_UP, Decimal

DISCOUNT_CODES = {
    "WELCOME10": Decimal("0.10"),
    "BULK25": Decimal("0.25"),
}


def quote(unit_price, quantity, code=""):
    """Return (subtotal, discount, total) for ``quantity`` copies."""
    subtotal = unit_price * quantity
    rate = DISCOUNT_CODES.get(code.upper(), Decimal("0"))
    discount = (subtotal * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return subtotal, discount, subtotal - discount


def convert(amount, rate):
    return (amount * Decimal(str(rate))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
