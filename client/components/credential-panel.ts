/**
 * The credential step on a secret round's page (domain/credential-step.ts
 * holds its states and work): started as soon as the device key is ready, so
 * the credential is fetched when the member opens the round, not when they
 * vote. Says what it is doing, what went wrong in the member's terms, and
 * offers what can help: trying again when the server was out of reach, or the
 * recovery file of the key this round's credential went to.
 */
import { call } from '../core/api';
import { h, replace } from '../core/dom';
import { t, type MessageKey } from '../core/i18n';
import { loadCredential, saveCredential, credentialId, type StoredKey } from '../core/keystore';
import {
  deviceSeedOf,
  INITIAL_CREDENTIAL_STATE,
  nextCredentialState,
  obtainCredential,
  retryable,
  type CredentialEvent,
  type CredentialProblem,
  type CredentialState,
  type RoundPass,
} from '../domain/credential-step';
import { recoveryImport } from './recovery-import';
import { assertNever, err, ok } from '../../shared/result';
import { button, notice } from './ui';

export const CREDENTIAL_PROBLEM_KEYS = {
  already_issued: 'credential.problem.already_issued',
  not_eligible: 'credential.problem.not_eligible',
  pending: 'credential.problem.pending',
  signed_out: 'credential.problem.signed_out',
  suspended: 'credential.problem.suspended',
  round_not_open: 'credential.problem.round_not_open',
  not_secret: 'credential.problem.not_secret',
  not_found: 'credential.problem.not_found',
  bad_issuer: 'credential.problem.bad_issuer',
  bad_answer: 'credential.problem.bad_answer',
  unreachable: 'credential.problem.unreachable',
  refused: 'credential.problem.refused',
} as const satisfies Record<CredentialProblem, MessageKey>;

export interface CredentialPanelOptions {
  readonly memberId: string;
  readonly roundId: string;
  readonly issuingKey: string;
  /** Called once with the credential, when it is ready. */
  readonly onReady: (pass: RoundPass, key: StoredKey) => void;
  /** Called after the member loaded another key's recovery file: the page starts over with it. */
  readonly onKeyReplaced: () => void;
}

export interface CredentialPanel {
  readonly node: HTMLElement;
  /** The device key is ready: ask (once) for the credential. */
  keyReady(key: StoredKey): void;
}

export function credentialPanel(options: CredentialPanelOptions): CredentialPanel {
  const node = h('div', { class: 'credential', attrs: { role: 'status', 'aria-live': 'polite' } });
  let state: CredentialState = INITIAL_CREDENTIAL_STATE;
  let key: StoredKey | null = null;

  function importControl(): HTMLElement {
    const status = h('div');
    const control = recoveryImport({ memberId: options.memberId, label: 'credential.import.label', hint: 'credential.import.hint', status, onLoaded: () => options.onKeyReplaced() });
    return h('div', null, control, status);
  }

  function draw(): void {
    switch (state.step) {
      case 'waiting-for-key':
        replace(node);
        return;
      case 'asking':
        replace(node, h('p', { class: 'loading' }, t('credential.asking')));
        return;
      case 'ready':
        replace(node, h('p', { class: 'hint' }, t('credential.ready')));
        return;
      case 'failed': {
        const problem = state.problem;
        replace(
          node,
          notice('error', h('p', null, t(CREDENTIAL_PROBLEM_KEYS[problem]))),
          retryable(problem) ? h('div', { class: 'actions' }, button(t('credential.retry'), () => dispatch({ type: 'retry' }))) : null,
          problem === 'already_issued' ? importControl() : null,
        );
        return;
      }
      default:
        assertNever(state);
    }
  }

  function dispatch(event: CredentialEvent): void {
    const next = nextCredentialState(state, event);
    if (next === state) return;
    state = next;
    draw();
    if (next.step === 'asking') void ask();
    if (next.step === 'ready' && key !== null) options.onReady(next.pass, key);
  }

  async function ask(): Promise<void> {
    const current = key;
    if (current === null) return;
    const { memberId, roundId, issuingKey } = options;
    const result = await obtainCredential(
      { round: roundId, issuingKey, deviceSeed: deviceSeedOf(current.secretKey) },
      {
        load: () => loadCredential(memberId, roundId),
        save: (kept) => saveCredential({ id: credentialId(memberId, roundId), memberId, roundId, ...kept, savedAt: new Date().toISOString() }),
        // Signed in: the server gives each member one credential per round. The blinded request tells it nothing about the round key.
        request: async (blindedMessage) => {
          const res = await call('requestCredential', { params: { id: roundId }, body: { blindedMessage } });
          return res.ok ? ok(res.value) : err({ code: res.error.code });
        },
      },
    );
    if (!result.ok) {
      dispatch({ type: 'failed', problem: result.error });
      return;
    }
    dispatch({ type: 'obtained', pass: result.value.pass, fetched: result.value.fetched });
    if (!result.value.kept) node.append(notice('warning', t('credential.notKept')));
  }

  return {
    node,
    keyReady(k) {
      key = k;
      dispatch({ type: 'key-ready' });
    },
  };
}
