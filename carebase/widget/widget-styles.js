// The element's own styles, in its shadow root. Partners theme it with the --carebase-*
// custom properties and ::part(); the defaults meet WCAG AA contrast in both themes.

const LIGHT = `
  --_bg: var(--carebase-background, #ffffff);
  --_fg: var(--carebase-text, #1b1d21);
  --_muted: var(--carebase-muted, #4a505a);
  --_border: var(--carebase-border, #8a919c);
  --_accent: var(--carebase-accent, #1f4fd1);
  --_accent-text: var(--carebase-accent-text, #ffffff);
  --_error: var(--carebase-error, #a4161a);
  --_surface: var(--carebase-surface, #f3f5f8);
`;

const DARK = `
  --_bg: var(--carebase-background, #16181d);
  --_fg: var(--carebase-text, #f1f3f5);
  --_muted: var(--carebase-muted, #c3c8d0);
  --_border: var(--carebase-border, #7d8590);
  --_accent: var(--carebase-accent, #9db8ff);
  --_accent-text: var(--carebase-accent-text, #0b1020);
  --_error: var(--carebase-error, #ffb3b0);
  --_surface: var(--carebase-surface, #22252c);
`;

export const STYLES = `
:host {
  ${LIGHT}
  display: block;
  color: var(--_fg);
  font-family: var(--carebase-font, system-ui, -apple-system, "Segoe UI", sans-serif);
  font-size: var(--carebase-font-size, 1rem);
  line-height: 1.45;
  box-sizing: border-box;
  max-width: 100%;
}
:host([theme="dark"]) { ${DARK} }
@media (prefers-color-scheme: dark) { :host([theme="auto"]) { ${DARK} } }
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: inherit; }
.panel {
  background: var(--_bg);
  color: var(--_fg);
  border: 1px solid var(--_border);
  border-radius: var(--carebase-radius, 0.75rem);
  padding: 1rem;
  min-width: 0;
}
h2 { font-size: 1.25rem; margin: 0 0 0.5rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.35rem; }
h2:focus { outline: none; }
h2:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
p { margin: 0.35rem 0; }
.muted { color: var(--_muted); }
button, input, select {
  font: inherit;
  color: inherit;
}
button {
  cursor: pointer;
  border-radius: calc(var(--carebase-radius, 0.75rem) / 1.5);
  border: 1px solid var(--_border);
  background: var(--_surface);
  padding: 0.55rem 0.9rem;
  min-height: 2.75rem;
}
button.primary {
  background: var(--_accent);
  color: var(--_accent-text);
  border-color: var(--_accent);
  font-weight: 600;
}
button:disabled { cursor: not-allowed; opacity: 0.7; }
button:focus-visible, input:focus-visible, select:focus-visible, a:focus-visible {
  outline: 3px solid var(--_accent);
  outline-offset: 2px;
}
a { color: var(--_accent); }
.choices { display: grid; gap: 0.5rem; margin: 0.5rem 0; padding: 0; list-style: none; }
.choices button { width: 100%; text-align: left; }
.row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.5rem 0; }
.zone { display: grid; gap: 0.25rem; margin: 0.5rem 0; }
.zone select { max-width: 100%; min-height: 2.75rem; background: var(--_bg); border: 1px solid var(--_border); border-radius: 0.4rem; padding: 0.3rem; }
.days { display: grid; gap: 0.25rem; }
.slots { display: grid; grid-template-columns: repeat(auto-fill, minmax(5.75rem, 1fr)); gap: 0.4rem; }
.slots button { padding: 0.45rem 0.3rem; }
form { display: grid; gap: 0.75rem; margin-top: 0.5rem; }
label { font-weight: 600; display: block; margin-bottom: 0.2rem; }
input {
  width: 100%;
  min-height: 2.75rem;
  padding: 0.45rem 0.6rem;
  border: 1px solid var(--_border);
  border-radius: 0.4rem;
  background: var(--_bg);
}
input[aria-invalid="true"] { border-color: var(--_error); border-width: 2px; }
.field-error, .error { color: var(--_error); font-weight: 600; }
.notice { background: var(--_surface); border-left: 4px solid var(--_accent); padding: 0.5rem 0.75rem; margin: 0.5rem 0; }
.error-box { border-left-color: var(--_error); }
.timer { font-variant-numeric: tabular-nums; font-weight: 600; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}
dialog {
  padding: 0.5rem;
  border: 1px solid var(--_border);
  border-radius: var(--carebase-radius, 0.75rem);
  background: var(--_bg);
  width: min(36rem, calc(100vw - 1rem));
  max-height: calc(100vh - 1rem);
  overflow: auto;
  color: var(--_fg);
}
dialog .panel { border: none; padding: 0.5rem; }
dialog::backdrop { background: rgba(0, 0, 0, 0.55); }
.dialog-head { display: flex; justify-content: flex-end; }
.floating {
  position: fixed;
  right: var(--carebase-floating-right, 1rem);
  bottom: var(--carebase-floating-bottom, 1rem);
  z-index: var(--carebase-floating-z, 2147483000);
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.3);
  border-radius: 999px;
}
ul.next { padding-left: 1.2rem; margin: 0.35rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.75rem; margin: 0.5rem 0; }
dt { font-weight: 600; }
dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
`;
