/**
 * The translation files: both languages complete and alike, every key used,
 * and no words for people written in the client's code instead of the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import en from '../../client/i18n/en.json';
import nl from '../../client/i18n/nl.json';
import { interpolate, t, tn } from '../../client/core/i18n';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENT = path.join(ROOT, 'client');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sources(full);
    return d.name.endsWith('.ts') ? [full] : [];
  });
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const NL: Record<string, string> = nl;
const EN: Record<string, string> = en;

interface Literal {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** Shown to people as it stands: a child of h()/s(), textContent, or a label-like attribute. */
  readonly atSink: boolean;
}

const LABEL_ATTRS = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'aria-roledescription']);
const TECHNICAL_ATTRS = new Set(['aria-keyshortcuts']);
/** Strings a library gives the client to compare with, never shown: socket.io's disconnect reasons. */
const LIBRARY_VALUES = new Set(['io server disconnect', 'io client disconnect', 'ping timeout', 'transport close', 'transport error', 'parse error']);

function literalsOf(file: string): Literal[] {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: Literal[] = [];
  const isDevText = (node: ts.Node): boolean => {
    for (let p: ts.Node | undefined = node.parent; p !== undefined; p = p.parent) {
      if (ts.isNewExpression(p) && p.expression.getText(sf) === 'Error') return true;
      if (ts.isCallExpression(p) && /^console\./.test(p.expression.getText(sf))) return true;
      if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p)) return true;
    }
    return false;
  };
  const atSink = (node: ts.Node): boolean => {
    const parent = node.parent;
    if (ts.isCallExpression(parent) && ['h', 's'].includes(parent.expression.getText(sf))) return parent.arguments.indexOf(node as ts.Expression) >= 2;
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && /\.(textContent|innerText|title)$/.test(parent.left.getText(sf))) return true;
    if (ts.isPropertyAssignment(parent) && parent.initializer === node) {
      const name = parent.name.getText(sf).replace(/^['"]|['"]$/g, '');
      if (TECHNICAL_ATTRS.has(name)) return false;
      return LABEL_ATTRS.has(name);
    }
    return false;
  };
  const visit = (node: ts.Node) => {
    const isPropertyName = ts.isPropertyAssignment(node.parent) && node.parent.name === node;
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !isPropertyName && !isDevText(node)) {
      if (!(ts.isPropertyAssignment(node.parent) && TECHNICAL_ATTRS.has(node.parent.name.getText(sf).replace(/^['"]|['"]$/g, '')))) {
        out.push({ file: path.relative(ROOT, file), line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: node.text, atSink: atSink(node) });
      }
    } else if (ts.isTemplateExpression(node) && !isDevText(node)) {
      const parts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
      out.push({ file: path.relative(ROOT, file), line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: parts.join(' '), atSink: atSink(node) });
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return out;
}

const literals = sources(CLIENT).flatMap(literalsOf);

describe('translations', () => {
  it('has the same keys in Dutch and English, none empty, with the same placeholders', () => {
    expect(Object.keys(EN).sort()).toEqual(Object.keys(NL).sort());
    for (const [key, text] of Object.entries(NL)) {
      expect(text.trim(), key).not.toBe('');
      expect((EN[key] ?? '').trim(), key).not.toBe('');
      expect(placeholders(EN[key] ?? ''), key).toEqual(placeholders(text));
    }
  });

  it('names no key twice in a file (JSON would silently keep only the last)', () => {
    for (const name of ['nl.json', 'en.json']) {
      const keys = [...fs.readFileSync(path.join(CLIENT, 'i18n', name), 'utf8').matchAll(/^\s*"([^"]+)":/gm)].map((m) => m[1]);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i), name).toEqual([]);
    }
  });

  it('has every plural in both forms', () => {
    for (const key of Object.keys(NL)) {
      if (key.endsWith('.one')) expect(NL[key.replace(/\.one$/, '.other')], key).toBeDefined();
    }
  });

  it('uses every key somewhere in the client', () => {
    const used = new Set(literals.map((l) => l.text));
    const unused = Object.keys(NL).filter((key) => !used.has(key) && !used.has(key.replace(/\.(one|other)$/, '')));
    expect(unused).toEqual([]);
  });

  it('fills in placeholders and plurals in both languages', () => {
    expect(tn('home.questions', 1, undefined, 'nl')).toBe('1 vraag');
    expect(tn('home.questions', 4, undefined, 'nl')).toBe('4 vragen');
    expect(tn('home.questions', 1, undefined, 'en')).toBe('1 question');
    expect(t('check.receipt', { seq: 3 }, 'en')).toBe('Receipt no. 3');
    expect(interpolate('{a} en {b}', { a: 'x' })).toBe('x en {b}');
  });
});

describe('the client code', () => {
  it('writes no words for people in its code: everything shown comes from the translation files', () => {
    const words = /[A-Za-zÀ-ÿ]{2,}\s+[A-Za-zÀ-ÿ]{2,}/;
    const keys = new Set(Object.keys(NL));
    const offending = literals.filter((l) => !keys.has(l.text) && !LIBRARY_VALUES.has(l.text) && (words.test(l.text) || (l.atSink && /[A-Za-zÀ-ÿ]/.test(l.text))));
    expect(offending.map((l) => `${l.file}:${l.line} ${JSON.stringify(l.text)}`)).toEqual([]);
  });

  it('never assigns innerHTML, outerHTML or insertAdjacentHTML, and never evaluates strings', () => {
    const risky = /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/;
    const hits = sources(CLIENT).filter((f) => risky.test(fs.readFileSync(f, 'utf8')));
    expect(hits.map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  it('ships an index.html without inline script or style', () => {
    const html = fs.readFileSync(path.join(CLIENT, 'public/index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style|\son\w+=/i);
  });
});
