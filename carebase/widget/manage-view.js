// view="manage": the emailed link's booking, moved or cancelled under the practice's rules
// (the API's `rules`: whether it may be moved or cancelled now, the window and its fee).
import { newKey } from "./api-client.js";
import { h } from "./dom.js";
import { feeLabel, friendly } from "./messages.js";
import * as tz from "./time-zones.js";

const STATUS = {
  BOOKED: "Booked",
  OCCURRED: "Took place",
  NO_SHOW: "Missed",
  CANCELLED: "Cancelled",
};

function tokenOf(element) {
  const given = element.getAttribute("manage-token") || element.getAttribute("token");
  if (given) return given;
  try {
    return new URL(window.location.href).searchParams.get("token") || "";
  } catch {
    return "";
  }
}

export async function startManage(element) {
  const view = new ManageView(element, tokenOf(element));
  element.manageView = view;
  await view.load();
}

class ManageView {
  constructor(element, token) {
    this.w = element;
    this.token = token;
  }

  async load() {
    const w = this.w;
    if (!this.token) {
      w.show("invalid", "This link is incomplete", h("p", {}, friendly("TOKEN_INVALID")));
      return;
    }
    w.show("loading", "Your appointment", h("p", { role: "status" }, "Loading…"));
    let booking;
    try {
      booking = (await w.api.run("WidgetBooking", { token: this.token })).publicBooking;
    } catch (error) {
      w.fail(error, "manage", () => this.load());
      return;
    }
    if (!booking) {
      w.emit("error", { code: "TOKEN_INVALID", step: "manage" });
      w.show("invalid", "This link is not valid any more", h("p", {}, friendly("TOKEN_INVALID")));
      return;
    }
    this.booking = booking;
    w.emit("ready", { appointmentId: booking.id });
    this.show();
  }

  rulesText() {
    const { rules, startsAt } = this.booking;
    const w = this.w;
    if (!rules) return null;
    const fee = feeLabel(rules.lateCancellationFee, w.locale);
    const lines = [];
    if (rules.late) {
      lines.push(
        `It is now less than ${rules.cancellationWindowHours} hours before the start, so a cancellation is late` +
          (fee ? ` and costs ${fee}.` : "."),
      );
    } else if (rules.canReschedule || rules.canCancel) {
      const until = new Date(Date.parse(startsAt) - rules.cancellationWindowHours * 3600000);
      lines.push(
        `You can change or cancel online until ${tz.whenLabel(until.toISOString(), w.zone, w.locale)}` +
          (fee ? `; a later cancellation costs ${fee}.` : "."),
      );
    }
    if (!rules.canReschedule && !rules.canCancel) {
      lines.push("To change this appointment, please contact the practice.");
    } else if (!rules.canReschedule) {
      lines.push("Moving it online is not possible now; you can still cancel.");
    }
    return h("div", { part: "rules" }, lines.map((line) => h("p", {}, line)));
  }

  show(message, kind = "info") {
    const w = this.w;
    const b = this.booking;
    const rules = b.rules || {};
    w.type = b.appointmentType;
    w.provider = b.provider;
    w.show(
      "manage",
      "Your appointment",
      w.notice(message, kind),
      h(
        "dl",
        { part: "summary" },
        h("dt", {}, "What"),
        h("dd", {}, w.typeLabel(b.appointmentType)),
        h("dt", {}, "With"),
        h("dd", {}, b.provider.name),
        h("dt", {}, "When"),
        h("dd", { "data-starts-at": b.startsAt }, `${tz.whenLabel(b.startsAt, w.zone, w.locale)} (${tz.zoneName(w.zone, w.locale, new Date(b.startsAt))})`),
        h("dt", {}, "Status"),
        h("dd", { part: "status" }, STATUS[b.status] || b.status),
      ),
      this.rulesText(),
      h(
        "div",
        { class: "row" },
        rules.canReschedule ? w.button("Reschedule", () => this.pickNewTime(), { primary: true }) : null,
        rules.canCancel ? w.button("Cancel appointment", () => this.confirmCancel()) : null,
      ),
    );
  }

  pickNewTime() {
    const w = this.w;
    w.provider = this.booking.provider;
    w.type = this.booking.appointmentType;
    w.onSlot = (slot) => this.confirmMove(slot);
    w.weekFrom = new Date();
    w.loadSlots();
  }

  confirmMove(slot) {
    const w = this.w;
    if (!this.move || this.move.startsAt !== slot.startsAt) {
      this.move = { startsAt: slot.startsAt, key: newKey() };
    }
    w.show(
      "confirm-move",
      "Move your appointment?",
      h(
        "p",
        {},
        `From ${tz.whenLabel(this.booking.startsAt, w.zone, w.locale)} to ${tz.whenLabel(slot.startsAt, w.zone, w.locale)} (${tz.zoneName(w.zone, w.locale)}).`,
      ),
      h(
        "div",
        { class: "row" },
        w.button("Move appointment", () => this.reschedule(), { primary: true }),
        w.button("Choose another time", () => w.loadSlots()),
      ),
    );
  }

  async reschedule() {
    const w = this.w;
    let answer;
    try {
      answer = (
        await w.api.run("WidgetReschedule", {
          input: { token: this.token, startsAt: this.move.startsAt, idempotencyKey: this.move.key },
        })
      ).reschedulePublicBooking;
    } catch (error) {
      w.emit("error", { code: error.code || "ERROR", step: "reschedule" });
      return this.show(`${friendly(error.code)} Nothing was changed.`, "error");
    }
    const [problem] = answer.userErrors;
    if (problem) {
      w.emit("error", { code: problem.code, step: "reschedule" });
      this.move = null;
      if (problem.code === "SLOT_UNAVAILABLE" || problem.code === "OUTSIDE_AVAILABILITY") {
        return w.loadSlots(friendly(problem.code));
      }
      return this.show(friendly(problem.code, problem.message), "error");
    }
    this.booking = answer.appointment;
    this.move = null;
    w.emit("rescheduled", {
      appointmentId: this.booking.id,
      startsAt: this.booking.startsAt,
      endsAt: this.booking.endsAt,
    });
    this.show(`Your appointment is moved to ${tz.whenLabel(this.booking.startsAt, w.zone, w.locale)}.`);
  }

  confirmCancel() {
    const w = this.w;
    const rules = this.booking.rules || {};
    const fee = feeLabel(rules.lateCancellationFee, w.locale);
    w.show(
      "confirm-cancel",
      "Cancel your appointment?",
      h("p", {}, `${w.typeLabel(this.booking.appointmentType)}, ${tz.whenLabel(this.booking.startsAt, w.zone, w.locale)}.`),
      rules.late ? w.notice(`This is a late cancellation${fee ? `: ${fee} will be charged` : ""}.`, "error") : null,
      h(
        "div",
        { class: "row" },
        w.button("Yes, cancel it", () => this.cancel(), { primary: true }),
        w.button("Keep my appointment", () => this.show()),
      ),
    );
  }

  async cancel() {
    const w = this.w;
    let answer;
    try {
      answer = (await w.api.run("WidgetCancel", { input: { token: this.token } })).cancelPublicBooking;
    } catch (error) {
      w.emit("error", { code: error.code || "ERROR", step: "cancel" });
      return this.show(`${friendly(error.code)} Nothing was changed.`, "error");
    }
    const [problem] = answer.userErrors;
    if (problem) {
      w.emit("error", { code: problem.code, step: "cancel" });
      return this.show(friendly(problem.code, problem.message), "error");
    }
    this.booking = answer.appointment;
    w.emit("cancelled", { appointmentId: this.booking.id });
    this.show("Your appointment is cancelled.");
  }
}
