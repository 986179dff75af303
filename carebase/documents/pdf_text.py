"""Text for the PDF core fonts, which carry Latin-1 only."""

from __future__ import annotations

import unicodedata


def latin1(text: str) -> str:
    """``text`` as the core fonts can draw it: accents kept where Latin-1 has them, other
    letters reduced to their base, and anything else a question mark."""
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


def phone_text(phone: str | None) -> str:
    """A ten-digit (NANP) number as "(217) 555-0100"; any other as given."""
    digits = "".join(c for c in phone or "" if c.isdigit())[-10:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else phone or ""
