/** The instance this client talks to (`/.well-known/stemkring.json`), fetched once. */
import type { InstanceInfo } from '../../shared/protocol/types';
import { call } from './api';

let cached: Promise<InstanceInfo | null> | null = null;

export function instanceInfo(): Promise<InstanceInfo | null> {
  if (cached === null) {
    cached = call('instance', { anonymous: true }).then((r) => (r.ok ? r.value : null));
    void cached.then((info) => {
      if (info === null) cached = null;
    });
  }
  return cached;
}
