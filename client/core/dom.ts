/**
 * Building DOM without HTML strings. Everything shown goes through text nodes
 * (`document.createTextNode`), never innerHTML: a proposal titled
 * `<img src=x onerror=…>` shows those characters and runs nothing. Event
 * handler attributes and `style` are refused here too, so no code path can
 * smuggle script or inline style past the CSP.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export type AttrValue = string | number | boolean | null | undefined;

export interface Props {
  readonly class?: string | readonly (string | false | null | undefined)[];
  readonly id?: string;
  readonly attrs?: Readonly<Record<string, AttrValue>>;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

const SAFE_URL = /^(\/(?!\/)|#|https?:\/\/|blob:|mailto:)/;

function setAttr(el: Element, name: string, value: AttrValue): void {
  const lower = name.toLowerCase();
  if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc') throw new Error(`refused attribute ${name}`);
  if (value === null || value === undefined || value === false) return;
  const text = value === true ? '' : String(value);
  if ((lower === 'href' || lower === 'src' || lower === 'action' || lower === 'formaction') && !SAFE_URL.test(text)) {
    throw new Error(`refused URL in ${name}`);
  }
  el.setAttribute(name, text);
}

function classList(value: Props['class']): string[] {
  if (value === undefined) return [];
  const names = typeof value === 'string' ? [value] : value.filter((c): c is string => typeof c === 'string');
  return names.flatMap((c) => c.split(/\s+/)).filter((c) => c.length > 0);
}

export function append(parent: Node, ...children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...(child as readonly Child[]));
    else if (child instanceof Node) parent.appendChild(child);
    else if (typeof child === 'string') parent.appendChild(document.createTextNode(child));
    else if (typeof child === 'number') parent.appendChild(document.createTextNode(String(child)));
  }
}

function apply(el: Element, props: Props | null | undefined): void {
  if (props === null || props === undefined) return;
  for (const c of classList(props.class)) el.classList.add(c);
  if (props.id !== undefined) el.id = props.id;
  for (const [name, value] of Object.entries(props.attrs ?? {})) setAttr(el, name, value);
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    if (listener !== undefined) el.addEventListener(type, listener as EventListener);
  }
}

/** An HTML element with props and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: readonly Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, ...children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; geometry goes in attrs (presentation attributes, not inline style). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props | null, ...children: readonly Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, ...children);
  return el;
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: readonly Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Sets a text node's content if it changed (keeps screen readers and selections calm). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

let idCounter = 0;
/** A unique id for label/for and aria-describedby pairs. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
