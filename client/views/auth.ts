/** Signing in and registering. */
import { call, type BodyOf } from '../core/api';
import { h } from '../core/dom';
import { busy, checkRequired, dropDraft, field, form, keepDraft, showProblem, submitButton } from '../core/forms';
import { t } from '../core/i18n';
import { signIn } from '../core/me';
import { safeLocalPath } from '../core/route-match';
import type { RouteContext, View } from '../core/router';
import { link, notice, page } from '../components/ui';

type Navigate = (to: string, options?: { replace?: boolean }) => void;

export function loginView(navigate: Navigate) {
  return (ctx: RouteContext): View => {
    const next = safeLocalPath(ctx.query.get('next'), '/account');
    const email = field({ name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'username', inputmode: 'email' });
    const password = field({ name: 'password', label: t('auth.password'), type: 'password', required: true, autocomplete: 'current-password' });
    const f = form(
      (el) => {
        if (!checkRequired(el)) return;
        void busy(el, async () => {
          const res = await signIn(email.control.value.trim(), password.control.value);
          if (!res.ok) {
            showProblem(el, res.error.code === 'invalid_credentials' ? { ...res.error, field: 'password' } : res.error);
            return;
          }
          dropDraft('login');
          navigate(next);
        });
      },
      email.row,
      password.row,
      h('div', { class: 'actions' }, submitButton(t('auth.login.submit'))),
    );
    keepDraft(f, 'login');
    return page(
      t('auth.login.title'),
      ctx.query.get('reason') === 'expired' ? notice('info', t('auth.login.expired')) : null,
      f,
      h('p', null, t('auth.login.noAccount'), ' ', link('/register', t('auth.login.registerLink'))),
    );
  };
}

export function registerView(navigate: Navigate) {
  return (ctx: RouteContext): View => {
    const invite = ctx.query.get('invite') ?? '';
    const name = field({ name: 'name', label: t('auth.name'), required: true, autocomplete: 'name', maxlength: 200 });
    const email = field({ name: 'email', label: t('auth.email'), type: 'email', required: true, autocomplete: 'email', inputmode: 'email' });
    const password = field({
      name: 'password',
      label: t('auth.password'),
      type: 'password',
      required: true,
      autocomplete: 'new-password',
      minlength: 8,
      hint: t('auth.password.hint'),
    });
    const code = field({ name: 'inviteCode', label: t('auth.inviteCode'), value: invite, hint: t('auth.inviteCode.hint'), autocomplete: 'off' });
    const f = form(
      (el) => {
        if (!checkRequired(el)) return;
        void busy(el, async () => {
          const body: BodyOf<'register'> = { name: name.control.value, email: email.control.value.trim(), password: password.control.value };
          const inviteCode = code.control.value.trim();
          if (inviteCode.length > 0) body.inviteCode = inviteCode;
          const res = await call('register', { body, anonymous: true });
          if (!res.ok) {
            showProblem(el, res.error);
            return;
          }
          const login = await signIn(body.email, body.password);
          dropDraft('register');
          navigate(login.ok ? '/account?welcome=1' : '/login');
        });
      },
      name.row,
      email.row,
      password.row,
      code.row,
      h('div', { class: 'actions' }, submitButton(t('auth.register.submit'))),
    );
    keepDraft(f, 'register');
    return page(
      t('auth.register.title'),
      h('p', { class: 'lead' }, t('auth.register.intro')),
      f,
      h('p', null, t('auth.register.haveAccount'), ' ', link('/login', t('auth.register.loginLink'))),
    );
  };
}
