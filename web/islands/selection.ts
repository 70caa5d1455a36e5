// Keeps the browse page's selection in the URL as boxes are ticked: the hidden `selected` input,
// the address bar (so reload and sharing keep it) and the counter follow each change. Without
// JavaScript the same happens when the form is submitted.
document.documentElement.classList.add("js");

const form = document.querySelector<HTMLFormElement>("form[data-selection]");
if (form) {
  const selectedInput = form.querySelector<HTMLInputElement>('input[type="hidden"][name="selected"]');
  const shownInput = form.querySelector<HTMLInputElement>('input[type="hidden"][name="shown"]');
  const list = (text: string | undefined) => (text ?? "").split(",").filter(Boolean);

  form.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.name !== "pick" || !selectedInput) return;
    const shown = new Set(list(shownInput?.value));
    const ticked = Array.from(form.querySelectorAll<HTMLInputElement>('input[name="pick"]:checked'), (b) => b.value);
    const selected = [...list(selectedInput.value).filter((ref) => !shown.has(ref)), ...ticked];
    // The form now carries the whole selection itself; no pick needs applying twice.
    selectedInput.value = [...new Set(selected)].join(",");
    const url = new URL(location.href);
    if (selected.length) url.searchParams.set("selected", selectedInput.value);
    else url.searchParams.delete("selected");
    history.replaceState(null, "", url.toString().replace(/%40/g, "@").replace(/%2C/g, ","));
    const count = document.querySelector("[data-selection-count]");
    if (count) count.textContent = String(selected.length);
    const names = document.querySelector("[data-selection-list]");
    if (names) names.textContent = selected.length ? `: ${selected.join(", ")}` : "";
  });
}
