// What the host page gives the widget: attributes first, then its own URL's query
// (name, email, phone, type, provider, utm_* tags), never sent anywhere but the booking.

const MAX_TAGS = 20;
const MAX_KEY = 64;
const MAX_VALUE = 500;

function query() {
  try {
    return new URL(window.location.href).searchParams;
  } catch {
    return new URLSearchParams();
  }
}

export function prefillOf(element) {
  const params = query();
  const pick = (attribute, ...names) => {
    const own = element.getAttribute(attribute);
    if (own) return own;
    for (const name of names) {
      const value = params.get(name);
      if (value) return value;
    }
    return "";
  };
  return {
    name: pick("name", "name"),
    email: pick("email", "email"),
    phone: pick("phone", "phone"),
    appointmentType: pick("appointment-type", "type", "appointment-type"),
    provider: pick("provider", "provider"),
    metadata: metadataOf(element.getAttribute("metadata"), params),
  };
}

/** The `metadata` attribute (a JSON object) with the page's utm_* tags, within the API's
 * limits (20 keys of 1-64 characters, string values of at most 500). */
export function metadataOf(attribute, params) {
  const tags = {};
  if (attribute) {
    try {
      const given = JSON.parse(attribute);
      if (given && typeof given === "object" && !Array.isArray(given)) {
        for (const [key, value] of Object.entries(given)) {
          if (["string", "number", "boolean"].includes(typeof value)) tags[key] = value;
        }
      }
    } catch {
      // a malformed attribute brings no tags rather than stopping the booking
    }
  }
  for (const [key, value] of params.entries()) {
    if (key.toLowerCase().startsWith("utm_") && value) tags[key] = value;
  }
  const kept = {};
  for (const [key, value] of Object.entries(tags).slice(0, MAX_TAGS)) {
    if (!key || key.length > MAX_KEY) continue;
    kept[key] = typeof value === "string" ? value.slice(0, MAX_VALUE) : value;
  }
  return Object.keys(kept).length ? kept : null;
}
