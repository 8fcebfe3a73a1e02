import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerDataStream } from "smtp-server";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Jobs } from "../../platform/jobs/index.js";
import type { Logger } from "../../platform/log/index.js";
import type { ReportSettings } from "./context.js";
import { receiveMail } from "./mail.js";

/** An SMTP error with the reply code the client sees. */
function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export interface ReportSmtp {
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * The report address's SMTP listener: accepts mail only for the configured report
 * addresses and up to the size limit, and answers 250 only once the message is stored.
 * It expects to sit behind the organisation's mail server (loopback by default), so it
 * offers neither AUTH nor STARTTLS.
 */
export function createReportSmtp(deps: {
  db: Db;
  envelope: Envelope;
  jobs: Jobs;
  log: Logger;
  settings: ReportSettings;
}): ReportSmtp {
  const { settings, log } = deps;
  const accepted = new Set(settings.addresses);
  const server = new SMTPServer({
    name: "tandem-reports",
    banner: "Tandem report intake",
    size: settings.mailMaxBytes,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    socketTimeout: 60_000,
    onRcptTo(address, _session, callback) {
      if (accepted.has(address.address.toLowerCase())) return callback();
      callback(smtpError(`<${address.address}>: this server takes reports only`, 550));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (c: Buffer) => {
        size += c.length;
        // Past the limit nothing more is kept; the stream is drained and the message refused.
        if (size <= settings.mailMaxBytes) chunks.push(c);
      });
      stream.on("error", (err) => callback(err));
      stream.on("end", () => {
        if (stream.sizeExceeded || size > settings.mailMaxBytes) {
          callback(smtpError(`Message larger than ${settings.mailMaxBytes} bytes`, 552));
          return;
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        receiveMail(deps.db, deps, Buffer.concat(chunks), from || null).then(
          (r) => callback(null, r.duplicate ? "Already received, thank you" : "Received, thank you"),
          (err) => {
            log.error({ err }, "report mail could not be stored");
            callback(smtpError("Could not store the message; try again later", 451));
          },
        );
      });
    },
  });
  server.on("error", (err) => log.warn({ err }, "report SMTP listener error"));

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.server.address() as AddressInfo);
        });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
