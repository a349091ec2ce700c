// The report page: Django prints its figures; this draws each chart into its placeholder and
// offers the browser's print as "Download PDF" (no inline script: the data is a JSON element).
import { asOneImage, charts, type Labels, type Report } from "../lib/report";

function readJson<T>(id: string): T {
  return JSON.parse(document.getElementById(id)!.textContent!) as T;
}

const report = readJson<Report>("report-data");
const labels = readJson<Labels>("report-labels");
const main = document.querySelector<HTMLElement>("main.report")!;
// Drawn at the page's width (at most an A4 page's), scaled by CSS when printed.
const width = Math.max(320, Math.min(760, main.clientWidth - 32));
const drawn = charts(report, labels, width);
for (const holder of document.querySelectorAll<HTMLElement>("[data-chart]")) {
  const draw = drawn.get(holder.dataset.chart!);
  if (draw) holder.replaceChildren(asOneImage(draw()));
}

const download = document.querySelector<HTMLButtonElement>("[data-print]");
if (download) {
  download.hidden = false;
  download.addEventListener("click", () => window.print());
}
