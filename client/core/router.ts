/**
 * History-API routing: paths like /sessions/:id and /rounds/:id/outcome,
 * which the server answers with index.html. Views are functions from the
 * route to an element; the previous view is disposed (sockets unwatched)
 * before the next one renders. After a navigation, focus goes to the new
 * page's heading so keyboard and screen reader users start at the top.
 */
import { matchRoute, safeLocalPath, type RouteParams } from './route-match';

export interface RouteContext {
  readonly params: RouteParams;
  readonly query: URLSearchParams;
  readonly path: string;
  /** Aborted when the member leaves the page. */
  readonly signal: AbortSignal;
  /** Render the same route again (after a change), keeping scroll position. */
  readonly refresh: () => void;
}

export interface View {
  readonly title: string;
  readonly node: Node;
  readonly dispose?: () => void;
}

export type ViewFn = (ctx: RouteContext) => Promise<View> | View;

export interface Route {
  readonly pattern: string;
  readonly view: ViewFn;
}

interface Mounted {
  readonly controller: AbortController;
  dispose?: (() => void) | undefined;
}

export class Router {
  private mounted: Mounted | null = null;
  private renderSeq = 0;

  constructor(
    private readonly routes: readonly Route[],
    private readonly notFound: ViewFn,
    private readonly failed: ViewFn,
    private readonly mount: (view: View, focus: boolean) => void,
  ) {}

  start(): void {
    window.addEventListener('popstate', () => void this.render(true));
    document.addEventListener('click', (e) => this.onClick(e));
    void this.render(false);
  }

  navigate(to: string, options: { replace?: boolean } = {}): void {
    const target = safeLocalPath(to);
    if (options.replace === true) history.replaceState(null, '', target);
    else history.pushState(null, '', target);
    window.scrollTo(0, 0);
    void this.render(true);
  }

  /** Renders the current route again (language switch, sign-in change). */
  refresh(): void {
    void this.render(false);
  }

  private onClick(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest('a');
    if (a === null || a === undefined) return;
    if (a.hasAttribute('download') || (a.target !== '' && a.target !== '_self') || a.origin !== location.origin) return;
    if (a.pathname.startsWith('/api/') || a.pathname.startsWith('/.well-known/')) return;
    e.preventDefault();
    this.navigate(a.pathname + a.search + a.hash);
  }

  private async render(focus: boolean): Promise<void> {
    this.renderSeq += 1;
    const seq = this.renderSeq;
    if (this.mounted !== null) {
      this.mounted.controller.abort();
      this.mounted.dispose?.();
    }
    const controller = new AbortController();
    const mounted: Mounted = { controller };
    this.mounted = mounted;
    const path = location.pathname;
    let view: ViewFn = this.notFound;
    let params: RouteParams = {};
    for (const route of this.routes) {
      const m = matchRoute(route.pattern, path);
      if (m !== null) {
        view = route.view;
        params = m;
        break;
      }
    }
    const ctx: RouteContext = {
      params,
      query: new URLSearchParams(location.search),
      path,
      signal: controller.signal,
      refresh: () => this.refresh(),
    };
    let rendered: View;
    try {
      rendered = await view(ctx);
    } catch (e) {
      // A bug in a view must not leave the previous page standing as if nothing happened.
      console.error(e);
      rendered = await this.failed(ctx);
    }
    if (seq !== this.renderSeq) {
      rendered.dispose?.();
      return;
    }
    mounted.dispose = rendered.dispose;
    this.mount(rendered, focus);
  }
}
