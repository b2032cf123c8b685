/**
 * How often an insert at "the highest so far + 1" tries again when a concurrent
 * insert took that number (a unique rule turned it away). Each retry sees the
 * winner's row, so a handful is plenty; the bound turns a bug (a conflict that
 * never clears) into an error instead of a loop.
 */
const ATTEMPTS = 20;

/**
 * Inserts a row at the next position of its group (a session's questions, a
 * voter's keys in a round). The group's unique (…, position) index decides
 * between concurrent writers: `insertAt` inserts with ON CONFLICT DO NOTHING
 * and says whether its row went in; a writer that lost reads the new highest
 * and takes the number after it. Answers the position taken.
 */
export async function insertAtNextPosition(
  what: string,
  highest: () => Promise<number | null | undefined>,
  insertAt: (position: number) => Promise<boolean>,
): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    const position = ((await highest()) ?? 0) + 1;
    if (await insertAt(position)) return position;
    if (attempt === ATTEMPTS) throw new Error(`no free position for ${what} after ${attempt} attempts`);
  }
}
