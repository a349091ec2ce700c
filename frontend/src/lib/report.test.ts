import { describe, expect, it } from "vitest";
import { clockTime, connectedPoints, countTicks, joinedRects, swingBars, timeAxis } from "./report";

const labels = { room: "In the room", online: "Online", before: "Before", after: "After" };

describe("the report's charts", () => {
  it("draw attendance only where a minute was sampled", () => {
    const fives = [
      { time: "10:00", minute: 600, room: 3, online: 2, questions: 0, votes: 0, answers: 0, connected_room: 40, connected_online: 12 },
      { time: "10:05", minute: 605, room: 0, online: 0, questions: 1, votes: 0, answers: 0, connected_room: null, connected_online: null },
    ];
    expect(connectedPoints(fives, labels)).toEqual([
      { minute: 600, mode: "In the room", count: 40 },
      { minute: 600, mode: "Online", count: 12 },
    ]);
  });

  it("tick the time on whole clock steps, never on fractions of a minute", () => {
    expect(timeAxis([540])).toEqual({ domain: [540, 545], ticks: [540, 545] });
    const day = timeAxis(Array.from({ length: 100 }, (_, n) => 540 + 5 * n));
    expect(day.domain).toEqual([540, 1040]);
    expect(day.ticks.length).toBeLessThanOrEqual(8);
    expect(day.ticks.every((tick) => tick % 60 === 0)).toBe(true);
  });

  it("write minutes since midnight as the clock, past midnight too", () => {
    expect(clockTime(605)).toBe("10:05");
    expect(clockTime(1440 + 65)).toBe("01:05");
  });

  it("count in whole numbers", () => {
    expect(countTicks([1, 3])).toEqual({ ticks: [0, 1, 2, 3], tickFormat: "d" });
    expect(countTicks([0])).toEqual({ ticks: [0, 1], tickFormat: "d" });
    expect(countTicks([250])).toEqual({ tickFormat: "d" });
  });

  it("stack each 5 minutes' joins by mode", () => {
    const five = { time: "10:00", minute: 600, room: 3, online: 2, questions: 0, votes: 0, answers: 0, connected_room: null, connected_online: null };
    expect(joinedRects([five], labels)).toEqual([
      { start: 600, end: 605, mode: "In the room", count: 3 },
      { start: 600, end: 605, mode: "Online", count: 2 },
    ]);
  });

  it("set each position's count before beside after", () => {
    const swing = { prompt: "Hub?", positions: [{ option: "Agree", before: 2, after: 3 }] };
    expect(swingBars(swing, labels)).toEqual([
      { option: "Agree", when: "Before", count: 2 },
      { option: "Agree", when: "After", count: 3 },
    ]);
  });
});
