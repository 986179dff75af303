// Times as the visitor reads them, in a zone they can change. Every time the widget sends or
// announces stays the API's ISO 8601 string with its offset; Date objects only format.

export function visitorZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function isZone(zone) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function zones(current) {
  let all = [];
  try {
    all = Intl.supportedValuesOf("timeZone");
  } catch {
    all = [];
  }
  return all.includes(current) ? all : [current, ...all];
}

/** "Central European Standard Time", for the zone at that instant. */
export function zoneName(zone, locale, at = new Date()) {
  const parts = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "long" })
    .formatToParts(at);
  const named = parts.find((p) => p.type === "timeZoneName");
  return named ? named.value : zone;
}

/** The calendar day of an instant in a zone, as YYYY-MM-DD (groups slots by day). */
export function dayKey(iso, zone) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export function dayLabel(iso, zone, locale) {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: "long",
    month: "long",
    day: "numeric",
  }).format(new Date(iso));
}

export function shortDayLabel(iso, zone, locale) {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: "short",
    month: "short",
    day: "numeric",
  }).format(new Date(iso));
}

export function timeLabel(iso, zone, locale) {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    hour: "numeric",
    minute: "2-digit",
  }).format(new Date(iso));
}

export function whenLabel(iso, zone, locale) {
  return `${dayLabel(iso, zone, locale)}, ${timeLabel(iso, zone, locale)}`;
}

/** An instant as ISO 8601 in UTC ("…Z"): what the API's DateTime arguments take. */
export function isoUtc(date) {
  return date.toISOString();
}

export function addDays(date, days) {
  return new Date(date.getTime() + days * 86400000);
}

export function countdown(msLeft) {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}
