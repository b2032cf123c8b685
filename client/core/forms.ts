/**
 * Form fields with labels, hints and an error slot; server errors shown next
 * to the control their `field` names, in the member's language; and drafts,
 * so nothing typed is lost when a request fails, the language changes or the
 * member looks at another page and comes back.
 */
import { h, uid, type Child } from './dom';
import { t, type MessageKey } from './i18n';
import type { ApiProblem } from './api';
import type { ErrorCode } from '../domain/types';

type ProblemCode = ErrorCode | 'network_error' | 'unexpected_answer';

const CODE_MESSAGES = {
  invalid_json: 'error.invalid_input',
  invalid_input: 'error.invalid_input',
  invalid_invite: 'error.invalid_invite',
  invalid_public_key: 'error.invalid_public_key',
  unsupported_media_type: 'error.internal_error',
  payload_too_large: 'error.payload_too_large',
  unauthenticated: 'error.unauthenticated',
  invalid_token: 'error.unauthenticated',
  token_expired: 'error.unauthenticated',
  invalid_credentials: 'error.invalid_credentials',
  invalid_refresh_token: 'error.unauthenticated',
  refresh_token_reused: 'error.unauthenticated',
  refresh_token_revoked: 'error.unauthenticated',
  session_ended: 'error.unauthenticated',
  forbidden: 'error.forbidden',
  account_pending: 'error.account_pending',
  account_suspended: 'error.account_suspended',
  not_found: 'error.not_found',
  email_taken: 'error.email_taken',
  key_in_use: 'error.key_in_use',
  conflict: 'error.conflict',
  last_admin: 'error.last_admin',
  too_many_requests: 'error.too_many_requests',
  ballot_too_large: 'error.ballot_too_large',
  invalid_ballot: 'error.invalid_ballot',
  invalid_choice: 'error.invalid_choice',
  wrong_instance: 'error.wrong_instance',
  wrong_round: 'error.wrong_round',
  wrong_definition: 'error.wrong_definition',
  round_not_open: 'error.round_not_open',
  not_in_electorate: 'error.not_in_electorate',
  key_not_registered: 'error.key_not_registered',
  bad_signature: 'error.bad_signature',
  cast_at_out_of_window: 'error.cast_at_out_of_window',
  nonce_reused: 'error.nonce_reused',
  already_voted: 'error.already_voted',
  invalid_credential: 'error.invalid_credential',
  credential_already_issued: 'error.credential_already_issued',
  round_not_secret: 'error.round_not_secret',
  round_not_closed: 'error.round_not_closed',
  not_visible: 'error.not_visible',
  internal_error: 'error.internal_error',
  // "Try again shortly" is what a member can do while the server's disk is full.
  store_unavailable: 'error.internal_error',
  network_error: 'error.network_error',
  unexpected_answer: 'error.internal_error',
} as const satisfies Record<ProblemCode, MessageKey>;

/** What an invalid value of each field means, in words a member understands. */
const FIELD_MESSAGES: Readonly<Record<string, MessageKey>> = {
  email: 'error.field.email',
  password: 'error.field.password',
  name: 'error.field.name',
  inviteCode: 'error.invalid_invite',
  title: 'error.field.title',
  text: 'error.field.text',
  body: 'error.field.body',
  reason: 'error.field.reason',
  description: 'error.field.description',
  date: 'error.field.date',
  into: 'error.field.into',
  closesAt: 'error.field.closesAt',
  seats: 'error.field.seats',
  options: 'error.field.options',
  'rules.maxApprovals': 'error.field.maxApprovals',
  'rules.budget': 'error.field.budget',
  'rules.min': 'error.field.scale',
  'rules.max': 'error.field.scale',
  rules: 'error.field.rules',
  count: 'error.field.count',
};

function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(CODE_MESSAGES, code);
}

/** A problem in the member's language. */
export function problemText(problem: Pick<ApiProblem, 'code' | 'field'>): string {
  if (problem.code === 'invalid_input' && problem.field !== undefined) {
    const exact = FIELD_MESSAGES[problem.field];
    if (exact !== undefined) return t(exact);
    const prefix = Object.keys(FIELD_MESSAGES).find((f) => problem.field?.startsWith(`${f}.`));
    if (prefix !== undefined) return t(FIELD_MESSAGES[prefix] ?? 'error.invalid_input');
  }
  return t(isProblemCode(problem.code) ? CODE_MESSAGES[problem.code] : 'error.unknown');
}

export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'datetime-local' | 'textarea' | 'select';
  readonly value?: string;
  readonly hint?: string;
  readonly required?: boolean;
  readonly autocomplete?: string;
  readonly min?: number;
  readonly max?: number;
  readonly maxlength?: number;
  readonly minlength?: number;
  readonly rows?: number;
  readonly inputmode?: string;
  readonly options?: readonly { readonly value: string; readonly label: string }[];
  readonly onChange?: (value: string) => void;
}

export type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A labelled control with an optional hint and a slot for its error. */
export function field(spec: FieldSpec): { row: HTMLElement; control: Control } {
  const id = uid(`f-${spec.name.replace(/[^A-Za-z0-9]/g, '-')}`);
  const hintId = spec.hint === undefined ? null : `${id}-hint`;
  const attrs = {
    id,
    name: spec.name,
    required: spec.required === true,
    autocomplete: spec.autocomplete,
    'aria-describedby': hintId,
    maxlength: spec.maxlength,
    minlength: spec.minlength,
    inputmode: spec.inputmode,
  };
  let control: Control;
  if (spec.type === 'textarea') {
    control = h('textarea', { attrs: { ...attrs, rows: spec.rows ?? 4 } });
    control.value = spec.value ?? '';
  } else if (spec.type === 'select') {
    control = h('select', { attrs }, ...(spec.options ?? []).map((o) => h('option', { attrs: { value: o.value } }, o.label)));
    if (spec.value !== undefined) control.value = spec.value;
  } else {
    control = h('input', { attrs: { ...attrs, type: spec.type ?? 'text', min: spec.min, max: spec.max } });
    control.value = spec.value ?? '';
  }
  if (spec.onChange !== undefined) {
    const onChange = spec.onChange;
    control.addEventListener(spec.type === 'select' ? 'change' : 'input', () => onChange(control.value));
  }
  const row = h(
    'div',
    { class: 'field', attrs: { 'data-field': spec.name } },
    h('label', { attrs: { for: id } }, spec.label, spec.required === true || spec.type === 'select' ? null : h('span', { class: 'optional' }, ` ${t('form.optional')}`)),
    hintId === null ? null : h('p', { class: 'hint', id: hintId }, spec.hint ?? ''),
    control,
    h('p', { class: 'field-error', id: `${id}-error`, attrs: { hidden: true } }),
  );
  return { row, control };
}

/** A checkbox with its label after it. */
export function checkbox(name: string, label: string, checked: boolean, hint?: string): { row: HTMLElement; control: HTMLInputElement } {
  const id = uid(`f-${name}`);
  const hintId = hint === undefined ? null : `${id}-hint`;
  const control = h('input', { attrs: { id, name, type: 'checkbox', 'aria-describedby': hintId } });
  control.checked = checked;
  const row = h(
    'div',
    { class: ['field', 'check'], attrs: { 'data-field': name } },
    control,
    h('label', { attrs: { for: id } }, label),
    hintId === null ? null : h('p', { class: 'hint', id: hintId }, hint ?? ''),
    h('p', { class: 'field-error', id: `${id}-error`, attrs: { hidden: true } }),
  );
  return { row, control };
}

/** The form's own error line (for problems that belong to no field). */
export function formError(): HTMLElement {
  return h('div', { class: 'form-error', attrs: { role: 'alert', hidden: true } });
}

function controlFor(form: HTMLElement, fieldName: string): Control | null {
  // The server names nested fields with dots (rules.quorum.count); the closest named control wins.
  let name = fieldName;
  for (;;) {
    const found = [...form.querySelectorAll<Control>('input[name], textarea[name], select[name]')].find((c) => c.name === name);
    if (found !== undefined) return found;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return null;
    name = name.slice(0, dot);
  }
}

export function clearErrors(form: HTMLElement): void {
  for (const el of form.querySelectorAll<HTMLElement>('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const described = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((d) => d.length > 0 && !d.endsWith('-error'));
    if (described.length > 0) el.setAttribute('aria-describedby', described.join(' '));
    else el.removeAttribute('aria-describedby');
  }
  const top = form.querySelector<HTMLElement>('.form-error');
  if (top !== null) {
    top.hidden = true;
    top.textContent = '';
  }
}

/** Marks one control invalid with a message under it, and focuses it. */
export function showFieldError(form: HTMLElement, control: Control, message: string): void {
  const slot = form.querySelector<HTMLElement>(`#${CSS.escape(control.id)}-error`);
  control.setAttribute('aria-invalid', 'true');
  if (slot !== null) {
    slot.textContent = message;
    slot.hidden = false;
    const described = new Set((control.getAttribute('aria-describedby') ?? '').split(' ').filter((d) => d.length > 0));
    described.add(slot.id);
    control.setAttribute('aria-describedby', [...described].join(' '));
  }
  control.focus();
}

/** Shows a server problem next to the control it names, or at the top of the form. */
export function showProblem(form: HTMLElement, problem: ApiProblem): void {
  clearErrors(form);
  const message = problemText(problem);
  const control = problem.field === undefined ? null : controlFor(form, problem.field);
  if (control !== null) {
    showFieldError(form, control, message);
    return;
  }
  showFormMessage(form, message);
}

export function showFormMessage(form: HTMLElement, message: string): void {
  const top = form.querySelector<HTMLElement>('.form-error');
  if (top === null) return;
  top.textContent = message;
  top.hidden = false;
  top.setAttribute('tabindex', '-1');
  top.focus();
}

/** Checks required fields and lengths before sending, with our own words (not the browser's). */
export function checkRequired(form: HTMLFormElement): boolean {
  clearErrors(form);
  for (const control of form.querySelectorAll<Control>('input[name], textarea[name], select[name]')) {
    if (control.disabled) continue;
    const value = control.value.trim();
    if (control.required && value.length === 0 && control.type !== 'checkbox') {
      showFieldError(form, control, t('error.required'));
      return false;
    }
    const min = control instanceof HTMLSelectElement ? -1 : control.minLength;
    if (min > 0 && value.length > 0 && control.value.length < min) {
      showFieldError(form, control, t('error.too_short', { min }));
      return false;
    }
    if (control instanceof HTMLInputElement && control.type === 'email' && value.length > 0 && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      showFieldError(form, control, t('error.field.email'));
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- drafts

const drafts = new Map<string, Record<string, string | boolean>>();

/** Remembers what is typed in the form under `key` (passwords excepted) and puts back what was typed before. */
export function keepDraft(form: HTMLFormElement, key: string): void {
  const saved = drafts.get(key);
  const controls = () => [...form.querySelectorAll<Control>('input[name], textarea[name], select[name]')].filter((c) => !(c instanceof HTMLInputElement && c.type === 'password'));
  if (saved !== undefined) {
    for (const c of controls()) {
      const v = saved[c.name];
      if (v === undefined) continue;
      if (c instanceof HTMLInputElement && c.type === 'checkbox') c.checked = v === true;
      else if (typeof v === 'string') c.value = v;
      c.dispatchEvent(new Event('change'));
    }
  }
  const save = () => {
    const values: Record<string, string | boolean> = {};
    for (const c of controls()) values[c.name] = c instanceof HTMLInputElement && c.type === 'checkbox' ? c.checked : c.value;
    drafts.set(key, values);
  };
  form.addEventListener('input', save);
  form.addEventListener('change', save);
}

export function dropDraft(key: string): void {
  drafts.delete(key);
}

export function submitButton(label: string): HTMLButtonElement {
  return h('button', { class: ['button', 'primary'], attrs: { type: 'submit' } }, label);
}

/** Disables a form's buttons while a request runs, and says so. */
export async function busy<T>(form: HTMLElement, work: () => Promise<T>): Promise<T> {
  const buttons = [...form.querySelectorAll<HTMLButtonElement>('button')];
  const was = buttons.map((b) => b.disabled);
  form.setAttribute('aria-busy', 'true');
  for (const b of buttons) b.disabled = true;
  try {
    return await work();
  } finally {
    form.removeAttribute('aria-busy');
    buttons.forEach((b, i) => (b.disabled = was[i] ?? false));
  }
}

export function form(onSubmit: (form: HTMLFormElement) => void, ...children: readonly Child[]): HTMLFormElement {
  const el = h('form', { attrs: { novalidate: true } }, formError(), ...children);
  el.addEventListener('submit', (e) => {
    e.preventDefault();
    onSubmit(el);
  });
  return el;
}
