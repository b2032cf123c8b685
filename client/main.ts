/**
 * The web client of Stemkring: vanilla TypeScript, bundled by esbuild,
 * served by the Express server under a CSP without inline script. This file
 * wires the routes to their views and starts the router.
 */
import { loadAuth, onAuthChange } from './core/auth';
import { initLang } from './core/i18n';
import { Router, type Route, type View } from './core/router';
import { page, link } from './components/ui';
import { h } from './core/dom';
import { t } from './core/i18n';
import { accountView } from './views/account';
import { loginView, registerView } from './views/auth';
import { checkView } from './views/check';
import { homeView, outcomesView } from './views/home';
import { auditView, membersView, moderateView } from './views/moderate';
import { outcomeView } from './views/outcome';
import { roundView } from './views/round';
import { roundFormView } from './views/round-form';
import { sessionView } from './views/session';
import { sessionOutcomeView } from './views/session-outcome';
import { createShell } from './views/shell';

function notFound(): View {
  return page(t('page.notFound.title'), h('p', null, t('page.notFound.body')), h('p', null, link('/', t('nav.home'))));
}

function broken(): View {
  return page(t('page.problem.title'), h('p', null, t('error.unknown')), h('p', null, link('/', t('nav.home'))));
}

function start(): void {
  const root = document.getElementById('app');
  if (root === null) throw new Error('index.html has no #app');
  initLang(window.localStorage);
  loadAuth();
  let router: Router | null = null;
  const navigate = (to: string, options?: { replace?: boolean }) => router?.navigate(to, options);
  const shell = createShell(root, () => router?.refresh());
  const routes: Route[] = [
    { pattern: '/', view: homeView },
    { pattern: '/outcomes', view: outcomesView },
    { pattern: '/login', view: loginView(navigate) },
    { pattern: '/register', view: registerView(navigate) },
    { pattern: '/account', view: accountView(navigate) },
    { pattern: '/sessions/:id', view: sessionView },
    { pattern: '/sessions/:id/outcome', view: sessionOutcomeView },
    { pattern: '/rounds/:id', view: roundView },
    { pattern: '/rounds/:id/outcome', view: outcomeView },
    { pattern: '/rounds/:id/check', view: checkView },
    { pattern: '/moderate', view: moderateView(navigate) },
    { pattern: '/moderate/members', view: membersView(navigate) },
    { pattern: '/moderate/rounds/new', view: roundFormView(navigate) },
    { pattern: '/moderate/audit', view: auditView(navigate) },
  ];
  router = new Router(routes, notFound, broken, (view, focus) => shell.mount(view, focus));
  onAuthChange(() => router?.refresh());
  router.start();
}

start();
