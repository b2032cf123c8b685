/**
 * The frame around every page: a skip link, the header with navigation and
 * the language switch, the main region, and a polite announcer that reads out
 * the new page after a navigation.
 */
import { auth } from '../core/auth';
import { takeFlash } from '../core/flash';
import { h, replace, setText } from '../core/dom';
import { lang, LANGS, setLang, t, type Lang } from '../core/i18n';
import type { View } from '../core/router';
import { isModeratorRole } from '../domain/types';

export interface Shell {
  mount(view: View, focus: boolean): void;
  /** Draws header and footer again (language or sign-in changed). */
  redraw(): void;
}

const LANG_NAMES: Readonly<Record<Lang, 'lang.nl' | 'lang.en'>> = { nl: 'lang.nl', en: 'lang.en' };

export function createShell(root: HTMLElement, onLang: () => void): Shell {
  const skip = h('a', { class: 'skip', attrs: { href: '#main' } });
  const header = h('header', { class: 'site-header' });
  const main = h('main', { id: 'main', attrs: { tabindex: -1 } });
  const footer = h('footer', { class: 'site-footer' });
  const announcer = h('div', { class: 'visually-hidden', attrs: { 'aria-live': 'polite', role: 'status' } });
  skip.addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  root.replaceChildren(skip, header, main, footer, announcer);
  let currentTitle = '';

  function navLink(href: string, text: string): HTMLElement {
    const here = location.pathname === href || (href !== '/' && location.pathname.startsWith(`${href}/`));
    return h('li', null, h('a', { attrs: { href, 'aria-current': here ? 'page' : null } }, text));
  }

  function drawHeader(): void {
    const member = auth()?.member ?? null;
    const other = LANGS.find((l) => l !== lang()) ?? 'nl';
    const switcher = h(
      'button',
      { class: ['button', 'link', 'lang-switch'], attrs: { type: 'button', lang: other, 'aria-label': t('lang.switchTo', { language: t(LANG_NAMES[other], undefined, other) }, other) } },
      t(LANG_NAMES[other], undefined, other),
    );
    switcher.addEventListener('click', () => {
      setLang(other, window.localStorage);
      onLang();
    });
    replace(
      header,
      h(
        'div',
        { class: 'bar' },
        h('a', { class: 'brand', attrs: { href: '/' } }, h('span', { class: 'logo', attrs: { 'aria-hidden': 'true' } }), t('app.name')),
        switcher,
      ),
      h(
        'nav',
        { attrs: { 'aria-label': t('nav.label') } },
        h(
          'ul',
          null,
          navLink('/', t('nav.sessions')),
          navLink('/outcomes', t('nav.outcomes')),
          member !== null && member.status === 'active' && isModeratorRole(member.role) ? navLink('/moderate', t('nav.moderate')) : null,
          member === null ? navLink('/login', t('nav.login')) : navLink('/account', t('nav.account')),
          member === null ? navLink('/register', t('nav.register')) : null,
        ),
      ),
    );
    setText(skip, t('nav.skip'));
    replace(footer, h('p', null, t('app.footer')));
  }

  return {
    mount(view, focusHeading) {
      let focus = focusHeading;
      document.documentElement.lang = lang();
      drawHeader();
      replace(main, view.node);
      const message = takeFlash();
      if (message !== null) {
        const box = h('div', { class: ['notice', message.kind, 'flash'], attrs: { role: 'status', tabindex: -1 } }, message.text);
        const h1 = main.querySelector('h1');
        if (h1 !== null) h1.after(box);
        else main.prepend(box);
        box.focus();
        focus = false;
      }
      currentTitle = view.title;
      document.title = `${view.title} · ${t('app.name')}`;
      if (focus) {
        const h1 = main.querySelector<HTMLElement>('h1');
        (h1 ?? main).focus();
        setText(announcer, '');
        window.setTimeout(() => setText(announcer, currentTitle), 50);
      }
    },
    redraw() {
      document.documentElement.lang = lang();
      drawHeader();
    },
  };
}
