/**
 * The device key: made on this device on first use (tweetnacl), its secret
 * half kept in IndexedDB, its public half registered with the server; saved
 * to and restored from a recovery file. Explained in plain words, because
 * most members have never heard of a key pair.
 */
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { generateKeyPair } from '../../shared/protocol/signing';
import { call } from '../core/api';
import { h, replace, uid } from '../core/dom';
import { downloadText } from '../core/download';
import { problemText } from '../core/forms';
import { t } from '../core/i18n';
import { loadKey, saveKey, StorageHeldByOtherTab, type StoredKey } from '../core/keystore';
import { loadMe } from '../core/me';
import { recoveryFile } from '../../shared/protocol/recovery-file';
import { recoveryImport } from './recovery-import';
import type { DeviceKey, Me } from '../domain/types';
import { button, notice } from './ui';

export interface KeyPanelOptions {
  /** Called once this device has a key that the server knows. */
  readonly onReady?: (key: StoredKey) => void;
  /** Short form (on a round page): no export details unless asked. */
  readonly compact?: boolean;
}

function activeOnServer(keys: readonly DeviceKey[], publicKey: string): 'active' | 'revoked' | 'unknown' {
  const k = keys.find((x) => x.publicKey === publicKey);
  if (k === undefined) return 'unknown';
  return k.revokedAt === null ? 'active' : 'revoked';
}

function fileName(me: Me): string {
  const safe = me.member.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return `stemkring-${t('key.fileWord')}-${safe.length > 0 ? safe : me.member.id}.json`;
}

export function keyPanel(options: KeyPanelOptions = {}): HTMLElement {
  const titleId = uid('key-title');
  const root = h('section', { class: ['panel', 'key-panel'], attrs: { 'aria-labelledby': titleId } });
  const status = h('div', { attrs: { role: 'status', 'aria-live': 'polite' } });

  function exportButton(me: Me, key: StoredKey): HTMLButtonElement {
    return button(t('key.export'), () => {
      const keys = { publicKey: key.secretKey.slice(32), secretKey: key.secretKey };
      downloadText(fileName(me), `${JSON.stringify(recoveryFile(me.member.id, me.member.email, keys, key.createdAt), null, 2)}\n`);
      replace(status, notice('success', t('key.exported')));
    });
  }

  function importControl(me: Me): HTMLElement {
    return recoveryImport({
      memberId: me.member.id,
      label: 'key.import.label',
      hint: 'key.import.hint',
      status,
      onLoaded: async () => {
        await draw();
        replace(status, notice('success', t('key.imported')));
      },
    });
  }

  async function register(key: StoredKey): Promise<boolean> {
    const res = await call('addKey', { body: { publicKey: key.publicKey } });
    if (res.ok || res.error.code === 'key_in_use') return true;
    replace(status, notice('error', problemText(res.error)));
    return false;
  }

  async function create(me: Me): Promise<void> {
    const pair = generateKeyPair();
    const key: StoredKey = { memberId: me.member.id, publicKey: encodeBase64Url(pair.publicKey), secretKey: pair.secretKey, createdAt: new Date().toISOString() };
    await saveKey(key);
    if (await register(key)) {
      await draw();
      replace(status, notice('success', t('key.created')));
    }
  }

  async function draw(): Promise<void> {
    const meRes = await loadMe();
    if (meRes === null) {
      root.replaceChildren();
      return;
    }
    if (!meRes.ok) {
      replace(root, notice('error', problemText(meRes.error)));
      return;
    }
    const me = meRes.value;
    let key: StoredKey | undefined;
    try {
      key = await loadKey(me.member.id);
    } catch (e) {
      replace(root, h('h2', { id: titleId }, t('key.title')), notice('error', t(e instanceof StorageHeldByOtherTab ? 'key.storageOtherTab' : 'key.storageBlocked')));
      return;
    }
    const title = h('h2', { id: titleId }, t('key.title'));
    if (key !== undefined) {
      let state = activeOnServer(me.keys, key.publicKey);
      if (state === 'unknown' && (await register(key))) state = 'active';
      if (state === 'active') {
        replace(
          root,
          title,
          h('p', null, t('key.ready')),
          options.compact === true
            ? null
            : [
                h('p', { class: 'hint' }, t('key.exportExplain')),
                h('div', { class: 'actions' }, exportButton(me, key)),
                h('p', { class: 'hint' }, t('key.fingerprint'), ' ', h('code', { class: 'key' }, key.publicKey)),
              ],
          status,
        );
        options.onReady?.(key);
        return;
      }
      if (state === 'revoked') {
        replace(root, title, notice('warning', t('key.revoked')), h('div', { class: 'actions' }, button(t('key.createNew'), () => void create(me), 'primary')), status);
        return;
      }
      replace(root, title, status);
      return;
    }
    const elsewhere = me.keys.some((k) => k.revokedAt === null);
    replace(
      root,
      title,
      h('p', null, t('key.explain.what')),
      h('p', null, t('key.explain.why')),
      h('p', null, t('key.explain.safe')),
      elsewhere ? notice('info', t('key.elsewhere')) : null,
      h('div', { class: 'actions' }, button(t('key.create'), (b) => {
        b.disabled = true;
        void create(me).finally(() => (b.disabled = false));
      }, 'primary')),
      h('details', null, h('summary', null, t('key.import.summary')), importControl(me)),
      status,
    );
  }

  root.append(h('p', { class: 'loading' }, t('common.loading')));
  void draw();
  return root;
}
