/** A message for the next page drawn (after an action that redraws the page): shown at the top and focused. */
let pending: { kind: 'success' | 'info'; text: string } | null = null;

export function flash(text: string, kind: 'success' | 'info' = 'success'): void {
  pending = { kind, text };
}

export function takeFlash(): { kind: 'success' | 'info'; text: string } | null {
  const p = pending;
  pending = null;
  return p;
}
