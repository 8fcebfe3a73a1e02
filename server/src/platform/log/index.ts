import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/**
 * JSON logs. Request logs carry method, path (no query string: it can hold codes and
 * tokens), status and request id; headers that carry secrets are never written.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "tandem" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "req.headers.cookie",
          "req.headers.authorization",
          "req.headers['x-csrf-token']",
          "res.headers['set-cookie']",
          "*.password",
          "*.secret",
          "*.token",
        ],
        censor: "[redacted]",
      },
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({
          method: req.method,
          path: req.url.split("?")[0],
          requestId: req.id,
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
