import { describe, expect, test } from "bun:test";
import { parseUnitRange } from "../../src/config/unit-range.ts";
import { alerts, type Range } from "../../src/catalogue/range.ts";

function range(text: string, unit: Parameters<typeof parseUnitRange>[1]): Range {
  const parsed = parseUnitRange(text, unit, "x.y");
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

describe("parseUnitRange()", () => {
  test.each(
    [
      ["80%:", "%", "80:"],
      ["5m", "s", "300"],
      ["5m", "ms", "300000"],
      ["250ms", "s", "0.25"],
      ["1h:2d", "s", "3600:172800"],
      ["1GB", "B", "1073741824"],
      ["1.5kB", "B", "1536"],
      ["@1MiB:2MiB", "B", "@1048576:2097152"],
      ["10k", "c", "10000"],
      ["2M", "", "2000000"],
      ["~:0.3", "", "~:0.3"],
      ["10:", "s", "10:"],
      ["75", "%", "75"],
      [" 90% : ", "%", "90:"],
    ] as const,
  )("%p for a column in %p is %p in the column's unit", (text, unit, expected) => {
    expect(range(text, unit).text).toBe(expected);
  });

  test("the converted bounds judge values in the column's unit", () => {
    const fiveMinutes = range("5m", "s");
    expect(alerts(fiveMinutes, 299)).toBe(false);
    expect(alerts(fiveMinutes, 301)).toBe(true);
    const lower = range("80%:", "%");
    expect(alerts(lower, 79.9)).toBe(true);
    expect(alerts(lower, 80)).toBe(false);
    const inside = range("@1GB:2GB", "B");
    expect(alerts(inside, 1.5 * 1024 ** 3)).toBe(true);
    expect(alerts(inside, 3 * 1024 ** 3)).toBe(false);
  });

  test("no float noise in the text: 0.1 h in seconds is 360, 0.3 s in ms is 300", () => {
    expect(range("0.1h", "s").text).toBe("360");
    expect(range("0.3s", "ms").text).toBe("300");
  });

  test.each(
    [
      [
        "5m",
        "%",
        'Cannot use "5m" as a range for x.y: unit "m" (minutes) does not fit the column\'s unit "%" (percent)',
      ],
      [
        "80%",
        "s",
        'Cannot use "80%" as a range for x.y: unit "%" (percent) does not fit the column\'s unit "s" (seconds)',
      ],
      [
        "1GB",
        "c",
        'Cannot use "1GB" as a range for x.y: unit "GB" (gibibytes) does not fit the column\'s unit "c" (a counter)',
      ],
      [
        "10k",
        "B",
        'Cannot use "10k" as a range for x.y: unit "k" (thousands) does not fit the column\'s unit "B" (bytes)',
      ],
      [
        "5 parsecs",
        "s",
        'Cannot use "5 parsecs" as a range for x.y: unknown unit "parsecs" (use %, ms, s, m, h, d, B, kB, MB, GB, TB, k, M or G)',
      ],
      ["10:5", "", 'Cannot use "10:5" as a range for x.y: start 10 is greater than end 5'],
      ["2h:1h", "s", 'Cannot use "2h:1h" as a range for x.y: start 2h is greater than end 1h'],
      ["", "", 'Cannot use "" as a range for x.y: expected N, N:, ~:N, N:M or @N:M'],
      ["ten", "", 'Cannot use "ten" as a range for x.y: "ten" is not a number with an optional unit'],
      ["1:2:3", "", 'Cannot use "1:2:3" as a range for x.y: "2:3" is not a number with an optional unit'],
    ] as const,
  )("%p for a column in %p is refused: %s", (text, unit, message) => {
    expect(parseUnitRange(text, unit, "x.y")).toBe(message);
  });
});
