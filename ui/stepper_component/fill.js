// Fill-in mode's marks (ui/fillin.py) for the stepper (stepper.js, its fill-in section). A small element of its
// own, so an answer's marks reach the page without the whole trace being sent again: it hands its data to the
// stepper with a window event, and keeps the latest for a stepper that mounts after it.
export default function (component) {
  const data = component.data || null;
  window.__btFillResults = data;
  window.dispatchEvent(new CustomEvent("bt-fill", { detail: data }));
}
