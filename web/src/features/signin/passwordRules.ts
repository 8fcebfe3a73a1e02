export const MIN_PASSWORD_LENGTH = 12;

export interface PasswordProblems {
  password?: string;
  confirm?: string;
}

/** Client-side checks only; the server has the final word (and may reject e.g. breached passwords). */
export function passwordProblems(password: string, confirm: string): PasswordProblems {
  const problems: PasswordProblems = {};
  if (password.length < MIN_PASSWORD_LENGTH) {
    problems.password = `Use at least ${MIN_PASSWORD_LENGTH} characters (${password.length} so far).`;
  }
  if (confirm !== password) problems.confirm = "The two passwords do not match.";
  return problems;
}
