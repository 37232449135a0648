// Structured logs (pino, JSON lines on stdout). Secrets are redacted wherever they
// might appear, so that a careless log call cannot leak them.
import pino, { type Logger } from "pino";
import type { Config } from "./config.ts";

const REDACTED_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  // The original product's clients send the bearer as X-Authorization.
  '["x-authorization"]',
  '*["x-authorization"]',
  'headers["x-authorization"]',
  '*.headers["x-authorization"]',
];

export function createLogger(settings: Config["log"], destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: settings.level,
      base: { service: "mcp-gateway-registry" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
