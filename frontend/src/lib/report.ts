// The post-event report's charts: the page prints every figure as a table (Django renders it);
// this draws the same figures as SVG with Observable Plot beside each table.
import * as Plot from "@observablehq/plot";

export interface Five {
  time: string; minute: number; room: number; online: number; questions: number; votes: number; answers: number;
  connected_room: number | null; connected_online: number | null;
}
export interface SessionFigures { title: string; room: string; questions: number; votes: number }
export interface PollResult { option: string; count: number; room: number; online: number; percent: number }
export interface PollFigures { id: number; kind: string; prompt: string; results: PollResult[] }
export interface Position { option: string; before: number; after: number }
export interface SwingFigures { prompt: string; positions: Position[] }
export interface Report {
  participation: Five[];
  sessions: SessionFigures[];
  polls: PollFigures[];
  swings: SwingFigures[];
  moderation: { actions: Record<string, number> };
}
/** The chart words, translated by the server. */
export type Labels = Record<string, string>;

const MODE_COLOURS = ["#1d4ed8", "#d97706"];
const FONT = "system-ui, sans-serif";

/** "10:05" from minutes since the first bucket's midnight. */
export function clockTime(minute: number): string {
  const inDay = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(inDay / 60)).padStart(2, "0")}:${String(inDay % 60).padStart(2, "0")}`;
}

/** The time axis of the day's charts: from the first five minutes to the end of the last, ticked
 * on whole clock steps (5, 10, 15, 30 minutes, 1 or 2 hours) so that at most `most` ticks show. */
export function timeAxis(minutes: number[], most = 8): { domain: [number, number]; ticks: number[] } {
  const start = Math.min(...minutes);
  const end = Math.max(...minutes) + 5;
  const step = [5, 10, 15, 30, 60, 120, 240].find((candidate) => (end - start) / candidate <= most) ?? 480;
  const ticks = [];
  for (let tick = Math.ceil(start / step) * step; tick <= end; tick += step) ticks.push(tick);
  return { domain: [start, end], ticks };
}

/** Joins per 5 minutes as rectangles of one mode each, stacked room under online. */
export function joinedRects(fives: Five[], labels: Labels) {
  return fives.flatMap((five) => [
    { start: five.minute, end: five.minute + 5, mode: labels.room, count: five.room },
    { start: five.minute, end: five.minute + 5, mode: labels.online, count: five.online },
  ]);
}

/** The most connected at once per 5 minutes, one point per mode where a sample was taken. */
export function connectedPoints(fives: Five[], labels: Labels) {
  return fives.flatMap((five) =>
    five.connected_room === null || five.connected_online === null
      ? []
      : [
          { minute: five.minute, mode: labels.room, count: five.connected_room },
          { minute: five.minute, mode: labels.online, count: five.connected_online },
        ],
  );
}

/** Questions, votes and answers per 5 minutes, one point per kind. */
export function activityPoints(fives: Five[], labels: Labels) {
  return fives.flatMap((five) =>
    (["questions", "votes", "answers"] as const).map((kind) => ({ minute: five.minute, kind: labels[kind], count: five[kind] })),
  );
}

/** Each option's answers in the room and online. */
export function pollBars(poll: PollFigures, labels: Labels) {
  return poll.results.flatMap((result) => [
    { option: result.option, mode: labels.room, count: result.room },
    { option: result.option, mode: labels.online, count: result.online },
  ]);
}

/** Each position's count before and after the debate. */
export function swingBars(swing: SwingFigures, labels: Labels) {
  return swing.positions.flatMap((position) => [
    { option: position.option, when: labels.before, count: position.before },
    { option: position.option, when: labels.after, count: position.after },
  ]);
}

/** A count axis's ticks: whole numbers only (a small count's axis would step by 0.2). */
export function countTicks(values: number[]): { ticks?: number[]; tickFormat: string } {
  const max = Math.max(0, ...values);
  return max <= 10 ? { ticks: Array.from({ length: Math.max(1, max) + 1 }, (_, n) => n), tickFormat: "d" } : { tickFormat: "d" };
}

/** A drawn chart as one image named by its label: Plot names its marks' groups (`<g aria-label="bar">`),
 * which ARIA forbids on a group without a role, and the numbers are in the table beside it. */
export function asOneImage<T extends Element>(chart: T): T {
  const images = chart.matches("svg[aria-label]") ? [chart] : [...chart.querySelectorAll("svg[aria-label]")];
  for (const svg of images) svg.setAttribute("role", "img");
  for (const group of chart.querySelectorAll("g[aria-label]")) group.removeAttribute("aria-label");
  return chart;
}

function common(width: number, label: string) {
  return { width, ariaLabel: label, style: { fontFamily: FONT, fontSize: "13px", background: "transparent" }, marginLeft: 48 };
}

/** The SVG charts of the report, by the name the page's placeholders carry. */
export function charts(report: Report, labels: Labels, width: number): Map<string, () => SVGSVGElement | HTMLElement> {
  const drawn = new Map<string, () => SVGSVGElement | HTMLElement>();
  const modes = { legend: true, domain: [labels.room, labels.online], range: MODE_COLOURS };
  if (report.participation.length) {
    drawn.set("joined", () =>
      Plot.plot({
        ...common(width, labels.joined_chart),
        height: 240,
        color: modes,
        x: { label: labels.time, tickFormat: clockTime, ...timeAxis(report.participation.map((five) => five.minute)) },
        y: { label: labels.joined, grid: true, ...countTicks(report.participation.map((five) => five.room + five.online)) },
        marks: [Plot.rectY(joinedRects(report.participation, labels), { x1: "start", x2: "end", y: "count", fill: "mode", inset: 0.5 }), Plot.ruleY([0])],
      }),
    );
    const connected = connectedPoints(report.participation, labels);
    if (connected.length) {
      drawn.set("connected", () =>
        Plot.plot({
          ...common(width, labels.connected_chart),
          height: 240,
          color: modes,
          x: { label: labels.time, tickFormat: clockTime, ...timeAxis(report.participation.map((five) => five.minute)) },
          y: { label: labels.connected, grid: true, ...countTicks(connected.map((point) => point.count)) },
          marks: [
            Plot.lineY(connected, { x: "minute", y: "count", z: "mode", stroke: "mode", strokeWidth: 2 }),
            Plot.dot(connected, { x: "minute", y: "count", fill: "mode", r: 2.5 }),
            Plot.ruleY([0]),
          ],
        }),
      );
    }
    drawn.set("activity", () =>
      Plot.plot({
        ...common(width, labels.activity_chart),
        height: 240,
        color: { legend: true, domain: [labels.questions, labels.votes, labels.answers], range: ["#1d4ed8", "#059669", "#b45309"] },
        x: { label: labels.time, tickFormat: clockTime, ...timeAxis(report.participation.map((five) => five.minute)) },
        y: { label: labels.per_five, grid: true, ...countTicks(activityPoints(report.participation, labels).map((point) => point.count)) },
        marks: [
          Plot.lineY(activityPoints(report.participation, labels), { x: "minute", y: "count", z: "kind", stroke: "kind", strokeWidth: 2 }),
          Plot.dot(activityPoints(report.participation, labels), { x: "minute", y: "count", fill: "kind", r: 2.5 }),
          Plot.ruleY([0]),
        ],
      }),
    );
  }
  const sessions = report.sessions.filter((session) => session.questions);
  if (sessions.length) {
    const bars = sessions.flatMap((session) => [
      { session: session.title, kind: labels.questions, count: session.questions },
      { session: session.title, kind: labels.votes, count: session.votes },
    ]);
    drawn.set("sessions", () =>
      Plot.plot({
        ...common(width, labels.sessions_chart),
        marginLeft: Math.min(250, width / 3),
        height: 60 + sessions.length * 56,
        color: { legend: true, domain: [labels.questions, labels.votes], range: ["#1d4ed8", "#059669"] },
        fy: { label: null, axis: "left", domain: sessions.map((session) => session.title), tickFormat: (title: string) => shorten(title, width < 600 ? 16 : 30) },
        y: { axis: null, domain: [labels.questions, labels.votes] },
        x: { label: labels.count, grid: true, ...countTicks(bars.map((bar) => bar.count)) },
        marks: [Plot.barX(bars, { fy: "session", y: "kind", x: "count", fill: "kind" }), Plot.ruleX([0])],
      }),
    );
  }
  for (const poll of report.polls) {
    if (poll.kind === "text" || !poll.results.length) continue;
    drawn.set(`poll-${poll.id}`, () =>
      Plot.plot({
        ...common(width, poll.prompt),
        marginLeft: Math.min(200, width / 3),
        height: 50 + poll.results.length * 32,
        color: modes,
        y: { label: null, domain: poll.results.map((result) => result.option), tickFormat: (option: string) => shorten(option, 28) },
        x: { label: labels.answers, grid: true, ...countTicks(poll.results.map((result) => result.count)) },
        marks: [Plot.barX(pollBars(poll, labels), { y: "option", x: "count", fill: "mode" }), Plot.ruleX([0])],
      }),
    );
  }
  report.swings.forEach((swing, index) => {
    drawn.set(`swing-${index}`, () =>
      Plot.plot({
        ...common(width, swing.prompt),
        marginLeft: Math.min(160, width / 3),
        height: 60 + swing.positions.length * 64,
        color: { legend: true, domain: [labels.before, labels.after], range: ["#94a3b8", "#1d4ed8"] },
        fy: { label: null, domain: swing.positions.map((position) => position.option) },
        y: { axis: null, domain: [labels.before, labels.after] },
        x: { label: labels.answers, grid: true, ...countTicks(swingBars(swing, labels).map((bar) => bar.count)) },
        marks: [
          Plot.barX(swingBars(swing, labels), { fy: "option", y: "when", x: "count", fill: "when" }),
          Plot.text(swingBars(swing, labels), { fy: "option", y: "when", x: "count", text: "count", dx: 10, textAnchor: "start" }),
          Plot.ruleX([0]),
        ],
      }),
    );
  });
  const actions = Object.entries(report.moderation.actions).map(([action, count]) => ({ action: labels[`action_${action}`] ?? action, count }));
  if (actions.length) {
    drawn.set("moderation", () =>
      Plot.plot({
        ...common(width, labels.moderation_chart),
        marginLeft: 140,
        height: 40 + actions.length * 30,
        y: { label: null, domain: actions.map((row) => row.action) },
        x: { label: labels.count, grid: true, ...countTicks(actions.map((row) => row.count)) },
        marks: [Plot.barX(actions, { y: "action", x: "count", fill: "#1d4ed8" }), Plot.ruleX([0])],
      }),
    );
  }
  return drawn;
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
