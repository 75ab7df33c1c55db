// Candidates pasted into the enrollment form: one per line, "email, name" (name optional).
export function parseCandidateLines(text: string): { email: string; name?: string }[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !/^email\b/i.test(line))
    .map((line) => {
      const [email, ...rest] = line.split(',');
      const name = rest.join(',').trim();
      return name ? { email: email!.trim(), name } : { email: email!.trim() };
    });
}
