/**
 * Loading a recovery file into this device: the file picker, the reading
 * (shared/protocol/recovery-file.ts checks the file and that it is this
 * member's), the key kept in IndexedDB, and each problem in the member's
 * words. The key panel and a secret round's credential step both offer it,
 * with their own label and hint.
 */
import type { RecoveryProblem } from '../../shared/protocol/recovery-file';
import { readRecoveryFile } from '../../shared/protocol/recovery-file';
import { h, replace, uid } from '../core/dom';
import { t, type MessageKey } from '../core/i18n';
import { saveKey, type StoredKey } from '../core/keystore';
import { notice } from './ui';

const RECOVERY_PROBLEMS = {
  not_json: 'key.import.notJson',
  not_a_key_file: 'key.import.notKeyFile',
  damaged: 'key.import.damaged',
  other_member: 'key.import.otherMember',
} as const satisfies Record<RecoveryProblem, MessageKey>;

export interface RecoveryImportOptions {
  readonly memberId: string;
  readonly label: MessageKey;
  readonly hint: MessageKey;
  /** Where a problem with the file is shown. */
  readonly status: HTMLElement;
  /** The key is kept on this device now. */
  readonly onLoaded: (key: StoredKey) => Promise<void> | void;
}

export function recoveryImport(options: RecoveryImportOptions): HTMLElement {
  const id = uid('recovery-import');
  const input = h('input', { class: 'file-input', attrs: { id, type: 'file', accept: 'application/json,.json' } });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file === undefined) return;
    void file.text().then(async (text) => {
      const read = readRecoveryFile(text, options.memberId);
      if (!read.ok) {
        replace(options.status, notice('error', t(RECOVERY_PROBLEMS[read.error])));
        return;
      }
      const key: StoredKey = { memberId: options.memberId, publicKey: read.value.file.publicKey, secretKey: read.value.keys.secretKey, createdAt: read.value.file.createdAt };
      await saveKey(key);
      await options.onLoaded(key);
    });
  });
  return h('div', { class: 'field' }, h('label', { attrs: { for: id } }, t(options.label)), h('p', { class: 'hint' }, t(options.hint)), input);
}
