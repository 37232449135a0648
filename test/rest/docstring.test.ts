// parseDocstring: Google- and NumPy-style tool descriptions split into main/args/returns/raises.
import { describe, expect, it } from "vitest";
import { parseDocstring, type ParsedDescription } from "../../src/rest/docstring.ts";

const none = { args: null, returns: null, raises: null };

const cases: [string, string | null | undefined, ParsedDescription][] = [
  ["empty text", "", { main: "", ...none }],
  ["null", null, { main: "", ...none }],
  ["plain text", "Gets the weather.", { main: "Gets the weather.", ...none }],
  [
    "Google style with every section",
    `Get the forecast for a city.

    Longer explanation.

    Args:
        city (str): The city name.
        days (int): How many days,
            at most 7.

    Returns:
        dict: The forecast.

    Raises:
        ValueError: If the city is unknown.
    `,
    {
      main: "Get the forecast for a city.\n\nLonger explanation.",
      args: "city (str): The city name.\ndays (int): How many days,\n    at most 7.",
      returns: "dict: The forecast.",
      raises: "ValueError: If the city is unknown.",
    },
  ],
  [
    "Google style, first line indented like the rest",
    "\n    Adds numbers.\n\n    Arguments:\n        a: first\n        b: second\n",
    { main: "Adds numbers.", args: "a: first\nb: second", returns: null, raises: null },
  ],
  [
    "Google Returns with its text on the header line",
    "Counts.\n\nReturns: the count",
    { main: "Counts.", args: null, returns: "the count", raises: null },
  ],
  [
    "NumPy style",
    `Search documents.

Parameters
----------
query : str
    What to look for.
limit : int
    At most this many.

Returns
-------
list
    Matching documents.

Raises
------
TimeoutError
    When the index is slow.
`,
    {
      main: "Search documents.",
      args: "query : str\n    What to look for.\nlimit : int\n    At most this many.",
      returns: "list\n    Matching documents.",
      raises: "TimeoutError\n    When the index is slow.",
    },
  ],
  [
    "another section ends Args and stays in the main text",
    "Does it.\n\nArgs:\n    x: a value\n\nExample:\n    do(1)",
    { main: "Does it.\n\nExample:\n    do(1)", args: "x: a value", returns: null, raises: null },
  ],
  [
    "text back at the header's indentation ends a Google section",
    "Args:\n    x: a value\nMore words.",
    { main: "More words.", args: "x: a value", returns: null, raises: null },
  ],
  [
    "lower-case 'name:' lines inside Args are arguments, not headers",
    "Args:\n    returns: whether to return\n    raises: whether to raise",
    { main: "", args: "returns: whether to return\nraises: whether to raise", returns: null, raises: null },
  ],
  [
    "a header named like an Object.prototype member is text, not a section",
    "Does a thing.\n\nConstructor: makes it\n\nArgs:\n  x: y",
    { main: "Does a thing.\n\nConstructor: makes it", args: "x: y", returns: null, raises: null },
  ],
  ["a NumPy header named __proto__ is text", "Main\n\n__proto__\n---------\nstuff", { main: "Main\n\n__proto__\n---------\nstuff", ...none }],
  ["Windows line ends", "Main.\r\n\r\nRaises:\r\n    KeyError: missing", { main: "Main.", args: null, returns: null, raises: "KeyError: missing" }],
];

describe("parseDocstring", () => {
  it.each(cases)("%s", (_name, input, expected) => {
    expect(parseDocstring(input)).toEqual(expected);
  });
});
