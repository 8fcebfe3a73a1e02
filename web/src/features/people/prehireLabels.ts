import type { Agreement, Check, ChecklistItem } from "./types";

export const AGREEMENT_KINDS: readonly Agreement["kind"][] = [
  "nda",
  "acceptable_use",
  "security_responsibilities",
  "confidentiality",
];

export const AGREEMENT_LABELS: Record<Agreement["kind"], string> = {
  nda: "Non-disclosure agreement",
  acceptable_use: "Acceptable use policy",
  security_responsibilities: "Security responsibilities",
  confidentiality: "Confidentiality agreement",
};

export const CHECKLIST_LABELS: Record<ChecklistItem["item"], string> = {
  contract_security_terms: "Contract includes the security terms",
  background_check: "Background check done",
  access_profile_defined: "Access profile for the job role defined",
};

export const CHECK_KINDS: readonly Check["kind"][] = ["criminal", "credit", "qualification", "reference"];

export const CHECK_LABELS: Record<Check["kind"], string> = {
  criminal: "Criminal record",
  credit: "Credit",
  qualification: "Qualifications",
  reference: "References",
};
