// A week of open times in the visitor's time zone, grouped by day, with the zone named and
// switchable. "Any provider" asks each provider and merges their times.
import { h, uid } from "./dom.js";
import * as tz from "./time-zones.js";

const WEEK_DAYS = 7;

/** Each provider's slots for the week, merged by start (the first provider listed keeps a
 * time two can take), sorted. */
export async function weekOfSlots(api, providers, typeId, from) {
  const to = tz.addDays(from, WEEK_DAYS);
  const answers = await Promise.all(
    providers.map((provider) =>
      api.run("WidgetSlots", {
        providerId: provider.id,
        appointmentTypeId: typeId,
        from: tz.isoUtc(from),
        to: tz.isoUtc(to),
      }),
    ),
  );
  const merged = new Map();
  answers.forEach((answer, index) => {
    for (const slot of answer.availableSlots) {
      const instant = Date.parse(slot.startsAt);
      if (!merged.has(instant)) {
        merged.set(instant, { ...slot, providerId: providers[index].id });
      }
    }
  });
  return [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([, slot]) => slot);
}

export function slotSummary(slots, from, zone, locale) {
  const to = tz.addDays(from, WEEK_DAYS - 1);
  const range = `${tz.shortDayLabel(from.toISOString(), zone, locale)} to ${tz.shortDayLabel(
    to.toISOString(),
    zone,
    locale,
  )}`;
  const count = slots.length === 1 ? "1 time" : `${slots.length} times`;
  return `${count} open from ${range}, shown in ${tz.zoneName(zone, locale)}.`;
}

/** The picker's nodes; `on` holds its callbacks: pick(slot), zone(name), week(delta). */
export function slotPicker({ slots, from, zone, locale, canGoBack, on }) {
  const selectId = uid("zone");
  const select = h(
    "select",
    {
      id: selectId,
      part: "zone-select",
      onchange: (event) => on.zone(event.target.value),
    },
    tz.zones(zone).map((name) => h("option", { value: name, selected: name === zone }, name)),
  );
  const zoneRow = h(
    "div",
    { class: "zone" },
    h("p", { class: "muted", part: "zone-name" }, `Times are shown in ${tz.zoneName(zone, locale)} (${zone}).`),
    h("label", { for: selectId }, "Time zone"),
    select,
  );
  const weekLabel = (delta) =>
    tz.shortDayLabel(tz.addDays(from, delta * WEEK_DAYS).toISOString(), zone, locale);
  const nav = h(
    "div",
    { class: "row", role: "group", "aria-label": "Week" },
    h(
      "button",
      {
        type: "button",
        part: "button week-button",
        disabled: !canGoBack,
        "aria-label": `Previous week, from ${weekLabel(-1)}`,
        onclick: () => on.week(-1),
      },
      "← Previous week",
    ),
    h(
      "button",
      {
        type: "button",
        part: "button week-button",
        "aria-label": `Next week, from ${weekLabel(1)}`,
        onclick: () => on.week(1),
      },
      "Next week →",
    ),
  );
  const days = new Map();
  for (const slot of slots) {
    const key = tz.dayKey(slot.startsAt, zone);
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(slot);
  }
  const list = h("div", { class: "days", part: "days" });
  if (!days.size) {
    list.append(h("p", { part: "empty" }, "No open times this week. Try the next week."));
  }
  for (const daySlots of days.values()) {
    const headingId = uid("day");
    list.append(
      h("h3", { id: headingId }, tz.dayLabel(daySlots[0].startsAt, zone, locale)),
      h(
        "div",
        { class: "slots", role: "group", "aria-labelledby": headingId },
        daySlots.map((slot) =>
          h(
            "button",
            {
              type: "button",
              part: "button slot",
              "data-starts-at": slot.startsAt,
              "data-provider-id": slot.providerId,
              "aria-label": tz.whenLabel(slot.startsAt, zone, locale),
              onclick: () => on.pick(slot),
            },
            tz.timeLabel(slot.startsAt, zone, locale),
          ),
        ),
      ),
    );
  }
  return [zoneRow, nav, list];
}
