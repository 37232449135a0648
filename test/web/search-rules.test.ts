// The pure rules of the search UI as a table: which runs of a snippet are marked for a
// search's matched terms (client/highlight.ts).
import { describe, expect, it } from "vitest";
import { markedParts } from "../../src/web/client/highlight.ts";

const show = (text: string, terms: string[]) => markedParts(text, terms).map((p) => (p.mark ? `[${p.text}]` : p.text)).join("");

describe("markedParts", () => {
  it.each([
    ["Get the weather forecast for a city", ["forecast", "city"], "Get the weather [forecast] for a [city]"],
    ["Forecasts and FORECAST", ["forecast"], "[Forecast]s and [FORECAST]"],
    ["preforecast is not a word start", ["forecast"], "preforecast is not a word start"],
    ["get_forecast and create-event", ["forecast", "event"], "get_[forecast] and create-[event]"],
    ["the longer term wins: calendars", ["calendar", "calendars"], "the longer term wins: [calendars]"],
    ["regex characters (a+b) stay text", ["(a+b)", "a+b"], "regex characters [(a+b)] stay text"],
    ["<b>bold</b> stays as written", ["bold"], "<b>[bold]</b> stays as written"],
    ["Ünïcode Straße", ["straße", "ünïcode"], "[Ünïcode] [Straße]"],
    ["nothing to mark", [], "nothing to mark"],
    ["blank terms are ignored", ["", "  "], "blank terms are ignored"],
    ["", ["x"], ""],
  ])("%j with %j → %j", (text, terms, expected) => expect(show(text, terms)).toEqual(expected));

  it("keeps every character of the text, in order", () => {
    const text = "Add an event to a calendar at a given time, or list events";
    expect(markedParts(text, ["event", "calendar", "a"]).map((p) => p.text).join("")).toBe(text);
  });
});
