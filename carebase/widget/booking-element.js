// <carebase-booking>: the booking flow in its own shadow root (type → provider → a week of
// times → details while the time is held → booked), inline, in a modal or behind a floating
// button; with view="manage", the emailed link's view of one booking (manage-view.js).
import { WidgetApi, WidgetError, newKey } from "./api-client.js";
import { h, uid } from "./dom.js";
import { startManage } from "./manage-view.js";
import { closedMessage, friendly, networkMessage, feeLabel } from "./messages.js";
import { prefillOf } from "./prefill.js";
import { slotPicker, slotSummary, weekOfSlots } from "./slot-picker.js";
import * as tz from "./time-zones.js";
import { STYLES } from "./widget-styles.js";

const ANY = "any";
const WARN_SECONDS = 60;

function apiEndpoint(element) {
  const given = element.getAttribute("api") || element.getAttribute("api-url");
  if (given) return new URL("graphql", given.endsWith("/") ? given : `${given}/`).href;
  // the script's own origin is Carebase's: /widget/booking-element.js -> /graphql
  return new URL("../graphql", import.meta.url).href;
}

function matches(item, wanted) {
  if (!wanted) return false;
  const want = wanted.trim().toLowerCase();
  return item.id.toLowerCase() === want || item.name.trim().toLowerCase() === want;
}

export class CarebaseBooking extends HTMLElement {
  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    this.interacted = false;
    this.timer = null;
    this.details = { name: "", email: "", phone: "" };
  }

  connectedCallback() {
    if (this.started) return;
    this.started = true;
    this.locale =
      this.getAttribute("lang") || document.documentElement.lang || navigator.language || "en";
    const wantedZone = this.getAttribute("timezone");
    this.zone = wantedZone && tz.isZone(wantedZone) ? wantedZone : tz.visitorZone();
    this.api = new WidgetApi(apiEndpoint(this), this.getAttribute("publishable-key") || "");
    this.prefill = prefillOf(this);
    this.details = {
      name: this.prefill.name,
      email: this.prefill.email,
      phone: this.prefill.phone,
    };
    this.#mount();
    this.root.addEventListener("pointerdown", () => (this.interacted = true));
    this.root.addEventListener("keydown", () => (this.interacted = true));
    if (this.isManage) startManage(this);
    else this.start();
  }

  disconnectedCallback() {
    this.#stopTimer();
  }

  get isManage() {
    return this.getAttribute("view") === "manage" || this.getAttribute("mode") === "manage";
  }

  get mode() {
    const mode = this.getAttribute("mode");
    return mode === "modal" || mode === "floating" ? mode : "inline";
  }

  /** Opens the modal or floating widget (a no-op inline). */
  open() {
    if (this.dialog && !this.dialog.open) {
      this.dialog.showModal();
      this.interacted = true;
      this.#focusHeading();
    }
  }

  close() {
    if (this.dialog && this.dialog.open) this.dialog.close();
  }

  #mount() {
    const style = h("style", {}, STYLES);
    this.live = h("div", { class: "sr-only", role: "status", "aria-live": "polite" });
    this.panel = h("section", {
      class: "panel",
      part: "panel",
      "aria-label": this.isManage ? "Your appointment" : "Book an appointment",
    });
    this.root.append(style, this.live);
    if (this.mode === "inline" || this.isManage) {
      this.root.append(this.panel);
      return;
    }
    const label = this.getAttribute("button-text") || "Book an appointment";
    this.trigger = h(
      "button",
      {
        type: "button",
        class: this.mode === "floating" ? "primary floating" : "primary",
        part: "trigger",
        "aria-haspopup": "dialog",
        onclick: () => this.open(),
      },
      label,
    );
    this.dialog = h(
      "dialog",
      { part: "dialog", "aria-label": label },
      h(
        "div",
        { class: "dialog-head" },
        h("button", { type: "button", part: "button close", onclick: () => this.close() }, "Close"),
      ),
      this.panel,
    );
    this.dialog.addEventListener("close", () => this.trigger.focus());
    this.root.append(this.trigger, this.dialog);
  }

  // --- what every step shares

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(`carebase:${name}`, { detail, bubbles: true, composed: true }));
  }

  announce(text) {
    // a change of text is what screen readers announce
    this.live.textContent = "";
    requestAnimationFrame(() => (this.live.textContent = text));
  }

  show(step, title, ...children) {
    this.step = step;
    const heading = h("h2", { tabindex: "-1", part: "heading" }, title);
    const shown = children.flat().filter((child) => child !== null && child !== undefined && child !== false);
    this.panel.replaceChildren(heading, ...shown);
    this.panel.dataset.step = step;
    if (this.interacted) this.#focusHeading();
  }

  #focusHeading() {
    const heading = this.panel.querySelector("h2");
    if (heading) heading.focus();
  }

  notice(text, kind = "info") {
    if (!text) return null;
    return h(
      "div",
      {
        class: kind === "error" ? "notice error-box" : "notice",
        part: kind === "error" ? "notice error" : "notice",
        role: kind === "error" ? "alert" : "status",
      },
      text,
    );
  }

  button(text, onclick, { primary = false, part = "button", ...rest } = {}) {
    return h(
      "button",
      { type: "button", class: primary ? "primary" : null, part, onclick, ...rest },
      text,
    );
  }

  fail(error, step, retry) {
    const code = error instanceof WidgetError ? error.code : "ERROR";
    const text = error instanceof WidgetError && error.kind === "network" ? networkMessage() : friendly(code);
    this.emit("error", { code, step });
    this.show(
      "error",
      "Booking is not available right now",
      this.notice(text, "error"),
      retry ? this.button("Try again", retry, { primary: true }) : null,
    );
  }

  // --- booking

  async start() {
    this.show("loading", "Book an appointment", h("p", { role: "status" }, "Loading…"));
    try {
      this.profile = (await this.api.run("WidgetProfile")).publicBookingProfile;
    } catch (error) {
      this.fail(error, "profile", () => this.start());
      return;
    }
    const profile = this.profile;
    this.emit("ready", {
      appointmentTypeIds: profile.appointmentTypes.map((t) => t.id),
      providerIds: profile.providers.map((p) => p.id),
    });
    if (!profile.bookingOpen) {
      this.showClosed();
      return;
    }
    const preselected = profile.appointmentTypes.find((t) => matches(t, this.prefill.appointmentType));
    if (preselected || profile.appointmentTypes.length === 1) {
      this.chooseType(preselected || profile.appointmentTypes[0]);
    } else {
      this.showTypes();
    }
  }

  showClosed() {
    this.#stopTimer();
    this.emit("error", { code: "BOOKING_DISABLED", step: this.step || "profile" });
    this.show(
      "closed",
      "Online booking is not available",
      h("p", { part: "closed" }, closedMessage(this.profile && this.profile.organizationName, this.getAttribute("contact"))),
    );
  }

  typeLabel(kind) {
    const parts = [kind.name, `${kind.durationMinutes} minutes`];
    if (kind.price) parts.push(feeLabel(kind.price, this.locale));
    return parts.join(" · ");
  }

  showTypes() {
    const types = this.profile.appointmentTypes;
    if (!types.length) {
      this.show("types", "Book an appointment", h("p", {}, closedMessage(this.profile.organizationName, this.getAttribute("contact"))));
      return;
    }
    this.show(
      "types",
      "What would you like to book?",
      h("p", { class: "muted" }, this.profile.organizationName),
      h(
        "ul",
        { class: "choices" },
        types.map((kind) => h("li", {}, this.button(this.typeLabel(kind), () => this.chooseType(kind), { part: "button choice" }))),
      ),
    );
  }

  chooseType(kind) {
    this.type = kind;
    const providers = this.profile.providers;
    const wanted = this.prefill.provider;
    const preselected = providers.find((p) => matches(p, wanted));
    if (preselected) return this.chooseProvider(preselected);
    if (wanted && wanted.toLowerCase() === ANY) return this.chooseProvider(ANY);
    if (providers.length === 1) return this.chooseProvider(providers[0]);
    this.showProviders();
  }

  showProviders() {
    const back = this.profile.appointmentTypes.length > 1 ? this.button("Back", () => this.showTypes()) : null;
    this.show(
      "providers",
      "Who would you like to see?",
      h("p", { class: "muted" }, this.typeLabel(this.type)),
      h(
        "ul",
        { class: "choices" },
        h("li", {}, this.button("Any available provider", () => this.chooseProvider(ANY), { part: "button choice" })),
        this.profile.providers.map((p) => h("li", {}, this.button(p.name, () => this.chooseProvider(p), { part: "button choice" }))),
      ),
      back,
    );
  }

  chooseProvider(provider) {
    this.provider = provider;
    this.onSlot = (slot) => this.hold(slot);
    this.weekFrom = new Date();
    this.loadSlots();
  }

  get providersAsked() {
    return this.provider === ANY ? this.profile.providers : [this.provider];
  }

  providerName(id) {
    const found = this.profile && this.profile.providers.find((p) => p.id === id);
    if (found) return found.name;
    return this.provider && this.provider !== ANY ? this.provider.name : "";
  }

  async loadSlots(message, kind = "error") {
    this.#stopTimer();
    this.announce("Loading times…");
    try {
      this.slots = await weekOfSlots(this.api, this.providersAsked, this.type.id, this.weekFrom);
    } catch (error) {
      this.fail(error, "slots", () => this.loadSlots());
      return;
    }
    this.showSlots(message, kind);
    this.announce(slotSummary(this.slots, this.weekFrom, this.zone, this.locale));
  }

  showSlots(message, kind = "error") {
    const now = Date.now();
    const who = this.provider === ANY ? "any available provider" : this.provider.name;
    const back = this.isManage
      ? this.button("Back", () => this.showManaged())
      : this.profile.providers.length > 1 || this.profile.appointmentTypes.length > 1
        ? this.button("Back", () => (this.profile.providers.length > 1 ? this.showProviders() : this.showTypes()))
        : null;
    this.show(
      "slots",
      this.isManage ? "Choose a new time" : "Choose a time",
      h("p", { class: "muted" }, `${this.type.name} with ${who}`),
      this.notice(message, kind),
      ...slotPicker({
        slots: this.slots,
        from: this.weekFrom,
        zone: this.zone,
        locale: this.locale,
        canGoBack: this.weekFrom.getTime() > now + 60000,
        on: {
          pick: (slot) => this.onSlot(slot),
          zone: (zone) => this.changeZone(zone),
          week: (delta) => this.changeWeek(delta),
        },
      }),
      back,
    );
  }

  changeZone(zone) {
    if (!tz.isZone(zone)) return;
    this.zone = zone;
    this.showSlots();
    const select = this.panel.querySelector("select");
    if (select) select.focus();
    this.announce(slotSummary(this.slots, this.weekFrom, this.zone, this.locale));
  }

  async changeWeek(delta) {
    const next = tz.addDays(this.weekFrom, delta * 7);
    this.weekFrom = next.getTime() < Date.now() ? new Date() : next;
    await this.loadSlots();
  }

  async hold(slot) {
    this.#busy(true);
    let answer;
    try {
      answer = (
        await this.api.run("WidgetHoldSlot", {
          input: { providerId: slot.providerId, appointmentTypeId: this.type.id, startsAt: slot.startsAt },
        })
      ).holdSlot;
    } catch (error) {
      this.fail(error, "hold", () => this.loadSlots());
      return;
    }
    const [problem] = answer.userErrors;
    if (problem) {
      this.emit("error", { code: problem.code, step: "hold" });
      if (problem.code === "BOOKING_DISABLED") return this.showClosed();
      if (problem.code === "RATE_LIMITED") return this.showSlots(friendly(problem.code));
      return this.loadSlots(friendly(problem.code, problem.message));
    }
    this.slot = slot;
    this.held = { ...answer.hold, providerId: slot.providerId };
    this.emit("slot-selected", {
      appointmentTypeId: this.type.id,
      providerId: slot.providerId,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      holdId: this.held.id,
      expiresAt: this.held.expiresAt,
    });
    this.showDetails();
  }

  #busy(on) {
    for (const control of this.panel.querySelectorAll("button, input, select")) control.disabled = on;
    this.panel.setAttribute("aria-busy", on ? "true" : "false");
  }

  summary(startsAt, providerId) {
    return h(
      "dl",
      { part: "summary" },
      h("dt", {}, "What"),
      h("dd", {}, this.typeLabel(this.type)),
      h("dt", {}, "With"),
      h("dd", {}, this.providerName(providerId)),
      h("dt", {}, "When"),
      h("dd", { "data-starts-at": startsAt }, `${tz.whenLabel(startsAt, this.zone, this.locale)} (${tz.zoneName(this.zone, this.locale, new Date(startsAt))})`),
    );
  }

  field(name, label, type, autocomplete, error, required) {
    const id = uid(name);
    const errorId = `${id}-error`;
    return h(
      "div",
      { part: "field" },
      h("label", { for: id, part: "label" }, label),
      h("input", {
        id,
        name,
        type,
        autocomplete,
        required,
        part: "input",
        value: this.details[name] || "",
        "aria-invalid": error ? "true" : null,
        "aria-describedby": error ? errorId : null,
        oninput: (event) => (this.details[name] = event.target.value),
      }),
      error ? h("p", { id: errorId, class: "field-error", part: "field-error" }, error) : null,
    );
  }

  showDetails(errors = {}, message = null) {
    const held = this.held;
    const left = h("span", { class: "timer", part: "timer", role: "timer", "aria-live": "off" }, tz.countdown(Date.parse(held.expiresAt) - Date.now()));
    const form = h(
      "form",
      { novalidate: true, onsubmit: (event) => (event.preventDefault(), this.book()) },
      this.field("name", "Your name", "text", "name", errors.name, true),
      this.field("email", "Email", "email", "email", errors.email, true),
      this.field("phone", "Phone (optional)", "tel", "tel", errors.phone, false),
      h(
        "div",
        { class: "row" },
        h("button", { type: "submit", class: "primary", part: "button submit" }, "Book appointment"),
        this.button("Choose another time", () => this.loadSlots()),
      ),
    );
    this.show(
      "details",
      "Your details",
      this.summary(held.startsAt, held.providerId),
      h("p", { part: "hold" }, "We're holding this time for you for ", left, "."),
      this.notice(message, "error"),
      form,
    );
    this.#startTimer(left);
    const invalid = this.panel.querySelector('input[aria-invalid="true"]');
    if (invalid) invalid.focus();
  }

  #startTimer(node) {
    this.#stopTimer();
    const ends = Date.parse(this.held.expiresAt);
    let warned = false;
    this.timer = setInterval(() => {
      const left = ends - Date.now();
      node.textContent = tz.countdown(left);
      if (!warned && left <= WARN_SECONDS * 1000) {
        warned = true;
        this.announce("One minute left to finish booking this time.");
      }
      if (left <= 0) this.holdRanOut();
    }, 1000);
  }

  #stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  holdRanOut() {
    this.#stopTimer();
    this.emit("error", { code: "HOLD_EXPIRED", step: "details" });
    this.show(
      "expired",
      "Your hold ran out",
      this.notice("We held this time for 5 minutes and it is no longer kept for you.", "error"),
      h(
        "div",
        { class: "row" },
        this.button("Hold this time again", () => this.hold(this.slot), { primary: true }),
        this.button("Choose another time", () => this.loadSlots()),
      ),
    );
  }

  async book() {
    const { name, email, phone } = this.details;
    const missing = {};
    if (!name.trim()) missing.name = "Please enter your name.";
    if (!email.trim()) missing.email = "Please enter your email address.";
    if (Object.keys(missing).length) return this.showDetails(missing);
    const input = {
      appointmentTypeId: this.type.id,
      providerId: this.held.providerId,
      startsAt: this.held.startsAt,
      client: { name: name.trim(), email: email.trim(), phone: phone.trim() || null },
      holdId: this.held.id,
      metadata: this.prefill.metadata,
    };
    // a retry of the same booking sends the same key; changed details are a new request
    const signature = JSON.stringify(input);
    if (!this.attempt || this.attempt.signature !== signature) {
      this.attempt = { signature, key: newKey() };
    }
    this.#busy(true);
    this.announce("Booking…");
    let answer;
    try {
      answer = (await this.api.run("WidgetBook", { input: { ...input, idempotencyKey: this.attempt.key } }))
        .bookAppointmentPublic;
    } catch (error) {
      this.emit("error", { code: error.code || "ERROR", step: "book" });
      const text = error.kind === "network" ? networkMessage() : friendly(error.code);
      return this.showDetails({}, `${text} Your details are kept: press "Book appointment" to try again.`);
    }
    if (answer.userErrors.length) return this.bookingRefused(answer.userErrors);
    this.#stopTimer();
    const booked = answer.appointment;
    this.emit("booked", {
      appointmentId: booked.id,
      appointmentTypeId: booked.appointmentType.id,
      providerId: booked.provider.id,
      startsAt: booked.startsAt,
      endsAt: booked.endsAt,
    });
    this.showDone(booked);
  }

  bookingRefused(problems) {
    const [first] = problems;
    this.emit("error", { code: first.code, step: "book" });
    const fieldErrors = {};
    for (const problem of problems) {
      const [top, name] = problem.field || [];
      if (top === "client" && ["name", "email", "phone"].includes(name) && problem.code !== "BOOKING_DISABLED") {
        fieldErrors[name] = problem.message;
      }
    }
    if (Object.keys(fieldErrors).length) return this.showDetails(fieldErrors);
    if (first.code === "HOLD_EXPIRED") {
      this.held = null;
      return this.loadSlots(friendly(first.code));
    }
    if (first.code === "SLOT_UNAVAILABLE" || first.code === "OUTSIDE_AVAILABILITY") {
      return this.loadSlots(friendly(first.code));
    }
    if (first.code === "BOOKING_DISABLED" && !(first.field || []).length) return this.showClosed();
    const contact = this.getAttribute("contact");
    const text = friendly(first.code, first.message);
    return this.showDetails({}, first.code === "BOOKING_DISABLED" && contact ? `${text} ${contact}` : text);
  }

  showDone(booked) {
    this.show(
      "done",
      "You're booked",
      h(
        "div",
        { part: "confirmation" },
        this.summary(booked.startsAt, booked.provider.id),
        h("h3", {}, "What happens next"),
        h(
          "ul",
          { class: "next" },
          h("li", {}, "We've emailed you a confirmation. Open its link to confirm the booking; the same email has a link to reschedule or cancel."),
          h("li", {}, "If the practice needs forms before your visit, a separate email invites you to fill them in."),
          h("li", {}, "You'll get a reminder before the appointment."),
        ),
        this.button("Book another appointment", () => {
          this.held = null;
          this.attempt = null;
          this.start();
        }),
      ),
    );
    this.announce("Your appointment is booked.");
  }

  // --- the manage view's hooks into the shared picker (manage-view.js)

  showManaged(message) {
    this.manageView.show(message);
  }
}
