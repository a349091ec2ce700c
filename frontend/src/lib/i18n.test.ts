import { afterEach, describe, expect, it } from "vitest";
import { followProjector, setLanguage, t, tn } from "./i18n";

afterEach(() => setLanguage("en"));

describe("t", () => {
  it("fills in named values and leaves unknown ones visible", () => {
    expect(t("Ask a question about “{title}”", { title: "Keynote" })).toBe("Ask a question about “Keynote”");
    expect(t("Reconnecting in {s} s…")).toBe("Reconnecting in {s} s…");
  });

  it("speaks French with vous and Dutch with u, typography included", () => {
    setLanguage("fr");
    expect(t("Ask a question about “{title}”", { title: "Keynote" })).toBe("Poser une question sur «\u00a0Keynote\u00a0»");
    expect(t("Moderation")).toBe("Modération");
    setLanguage("nl");
    expect(t("Your question was answered.")).toBe("Uw vraag is beantwoord.");
    expect(t("Poll")).toBe("Peiling");
  });

  it("shows a text without a translation as written", () => {
    setLanguage("nl");
    expect(t("A text nobody translated")).toBe("A text nobody translated");
  });

  it("formats numbers for the language", () => {
    setLanguage("fr");
    expect(t("{shown} of {n} answers shown", { shown: 12, n: 1500 })).toBe("12 réponses affichées sur 1\u202f500");
    setLanguage("nl");
    expect(t("{shown} of {n} answers shown", { shown: 12, n: 1500 })).toBe("12 van 1.500 antwoorden getoond");
  });
});

describe("tn", () => {
  it("picks the plural form of each language", () => {
    expect(tn("{count} vote", "{count} votes", 1)).toBe("1 vote");
    expect(tn("{count} vote", "{count} votes", 0)).toBe("0 votes");
    setLanguage("fr");
    // French counts 0 and 1 as singular.
    expect(tn("{count} vote", "{count} votes", 0)).toBe("0 vote");
    expect(tn("{count} vote", "{count} votes", 2)).toBe("2 votes");
    setLanguage("nl");
    expect(tn("{count} vote", "{count} votes", 0)).toBe("0 stemmen");
    expect(tn("{count} vote", "{count} votes", 1)).toBe("1 stem");
    expect(tn("{count} answer", "{count} answers", 3)).toBe("3 antwoorden");
  });
});

describe("the bilingual projector", () => {
  const event = (mode: "off" | "side_by_side" | "alternating") => ({
    languages: ["fr", "nl"],
    projector: { mode, interval: 10 },
  });

  it("puts the event's two languages side by side", () => {
    const stop = followProjector(event("side_by_side"));
    expect(t("Ask questions and vote")).toBe("Posez vos questions et votez / Stel uw vragen en stem");
    stop();
  });

  it("speaks the event's first language when the option is off", () => {
    followProjector(event("off"))();
    expect(t("Ask questions and vote")).toBe("Posez vos questions et votez");
  });
});
