// What the visitor reads for each failure: plain words, never the raw code.

const FRIENDLY = {
  SLOT_UNAVAILABLE: "Sorry, that time was just taken. Here are the times still open.",
  OUTSIDE_AVAILABILITY: "That time is no longer offered. Here are the times still open.",
  HOLD_EXPIRED: "We could not keep that time any longer. Please pick a time again.",
  RATE_LIMITED: "Too many tries from this connection. Please wait a few minutes and try again.",
  INVALID_INPUT: "Please check the details you entered.",
  IDEMPOTENCY_KEY_REUSED: "Something changed while booking. Please try again.",
  TOKEN_INVALID: "This link is not valid any more. Please use the latest email from the practice.",
  TOKEN_EXPIRED: "This appointment has already begun, so it can no longer be changed online.",
  CANCELLATION_WINDOW_PASSED:
    "It is too close to the appointment to change it online. Please contact the practice.",
  INVALID_STATUS_TRANSITION: "This appointment can no longer be changed online.",
  BOOKING_DISABLED: "This cannot be done online. Please contact the practice.",
  UNAUTHENTICATED:
    "This booking page is not set up correctly (its practice key is not recognised). " +
    "Please contact the practice to book.",
  DOCUMENT_NOT_TRUSTED: "This booking page is out of date. Please reload the page.",
};

export function friendly(code, fallback) {
  return FRIENDLY[code] || fallback || "Something went wrong. Please try again.";
}

export function closedMessage(organizationName, contact) {
  const who = organizationName || "This practice";
  const reach = contact ? ` ${contact}` : " Please contact the practice directly to book.";
  return `${who} is not taking online bookings right now.${reach}`;
}

export function networkMessage() {
  return (
    "We could not reach the booking service from this page. If this keeps happening, " +
    "please contact the practice to book. (The site's owner may need to add this site to " +
    "the practice's allowed widget sites.)"
  );
}

export function feeLabel(money, locale) {
  if (!money) return "";
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency: money.currency.toUpperCase(),
    }).format(money.amountCents / 100);
  } catch {
    return `${(money.amountCents / 100).toFixed(2)} ${money.currency.toUpperCase()}`;
  }
}
