/**
 * Every word the interface shows comes from i18n/nl.json or i18n/en.json.
 * Keys are typed from the Dutch file, and the English file must have the same
 * keys (the assignment below fails to compile otherwise), so a missing
 * translation is a build error. Dutch is the default; the choice is kept in
 * localStorage.
 */
import nl from '../i18n/nl.json';
import en from '../i18n/en.json';

export type MessageKey = keyof typeof nl;
export type Lang = 'nl' | 'en';
export const LANGS: readonly Lang[] = ['nl', 'en'];

/** Keys `x.one` / `x.other` form the plural `x`. */
export type PluralKey = { [K in MessageKey]: K extends `${infer B}.other` ? B : never }[MessageKey];

const CATALOGS: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { nl, en };
const LOCALES: Readonly<Record<Lang, string>> = { nl: 'nl-NL', en: 'en-GB' };
const STORAGE_KEY = 'stemkring.lang';

export type Params = Readonly<Record<string, string | number>>;

let current: Lang = 'nl';

function isLang(value: unknown): value is Lang {
  return value === 'nl' || value === 'en';
}

/** Reads the remembered language (Dutch when none). */
export function initLang(storage: Pick<Storage, 'getItem'> | undefined): Lang {
  let stored: string | null = null;
  try {
    stored = storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    // Storage can be blocked; Dutch it is.
  }
  current = isLang(stored) ? stored : 'nl';
  return current;
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang, storage: Pick<Storage, 'setItem'> | undefined): void {
  current = next;
  try {
    storage?.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered, still switched.
  }
}

export function interpolate(template: string, params: Params | undefined): string {
  if (params === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value) : value;
  });
}

export function t(key: MessageKey, params?: Params, language: Lang = current): string {
  return interpolate(CATALOGS[language][key], params);
}

/** A plural message: `{key}.one` or `{key}.other` by the language's rules; `{count}` is filled in. */
export function tn(key: PluralKey, count: number, params?: Params, language: Lang = current): string {
  const rule = new Intl.PluralRules(LOCALES[language]).select(count);
  const one = `${key}.one` as MessageKey;
  const other = `${key}.other` as MessageKey;
  const chosen = rule === 'one' && one in CATALOGS[language] ? one : other;
  return interpolate(CATALOGS[language][chosen], { count, ...params });
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(LOCALES[current]).format(n);
}

/** A decimal string from a count result ("3.666667"), shown with the locale's separator and at most `places` decimals. */
export function formatDecimal(text: string | null | undefined, places = 2): string {
  if (text === null || text === undefined) return '–';
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  return new Intl.NumberFormat(LOCALES[current], { maximumFractionDigits: places }).format(n);
}

export function formatDate(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '–';
  // Plain dates (2022-11-25) are calendar days, not instants: no time zone shift.
  const day = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const d = new Date(day ? `${iso}T12:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[current], day ? { dateStyle: 'long', timeZone: 'UTC' } : { dateStyle: 'long' }).format(d);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[current], { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '–';
  return new Intl.NumberFormat(LOCALES[current], { style: 'percent', maximumFractionDigits: 1 }).format(part / whole);
}
