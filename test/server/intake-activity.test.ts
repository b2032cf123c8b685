import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IntakeActivity } from '../../server/live/intake-activity';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether a promise has settled, after the microtasks queued so far have run. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('intake activity', () => {
  it('is quiet at once when no ballot is in progress', async () => {
    const intake = new IntakeActivity();
    expect(await settled(intake.quiet(2))).toBe(true);
    intake.begin();
    intake.end();
    expect(intake.active).toBe(0);
    expect(await settled(intake.quiet(2))).toBe(true);
  });

  it('waits for the last ballot in progress to be answered', async () => {
    const intake = new IntakeActivity();
    intake.begin();
    intake.begin();
    const first = intake.quiet(50);
    const second = intake.quiet(50);
    expect(await settled(first)).toBe(false);
    intake.end();
    expect(await settled(first)).toBe(false);
    intake.end();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(true);
  });

  it('waits no longer than it was told while ballots keep coming', async () => {
    const intake = new IntakeActivity();
    intake.begin();
    const waited = intake.quiet(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(waited)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(waited)).toBe(true);
    expect(intake.active).toBe(1);
    // A wait that timed out is gone: the end of the ballot releases nobody twice, and the next wait is a fresh one.
    intake.end();
    intake.begin();
    expect(await settled(intake.quiet(2))).toBe(false);
  });

  it('refuses an end without a begin', () => {
    expect(() => new IntakeActivity().end()).toThrow(/without a begin/);
  });
});
