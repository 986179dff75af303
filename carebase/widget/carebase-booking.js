// The booking widget: <carebase-booking publishable-key="pk_…"> (README "Booking widget").
// Plain ES modules beside this file, loaded from the same Carebase origin.
import { CarebaseBooking } from "./booking-element.js";

if (!customElements.get("carebase-booking")) {
  customElements.define("carebase-booking", CarebaseBooking);
}

export { CarebaseBooking };
