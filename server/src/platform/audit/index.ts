export {
  type AuditContext,
  type AuditEntry,
  type AuditInput,
  type AuditOutcome,
  appendAudit,
  appendAuditMany,
  canonical,
  entryHash,
} from "./chain.js";
export {
  type Checkpoint,
  CheckpointSigner,
  type CheckpointSinks,
  createCheckpoint,
  exportCheckpoint,
  readLatestCheckpoint,
  verifyCheckpointSignature,
} from "./checkpoint.js";
export { type AuditFilter, exportAudit, listAudit } from "./query.js";
export { auditRoutes } from "./routes.js";
export { type VerifyResult, verifyChain } from "./verify.js";
