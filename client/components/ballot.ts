/**
 * The ballot for each method. Every component works with the keyboard alone,
 * labels each control, and keeps its state in a `Draft` that the round view
 * holds on to, so a redraw (language switch, live tally) never loses a choice.
 */
import type { RoundDefinition, RoundOption } from '../../shared/protocol/types';
import {
  addToRanking,
  moveInRanking,
  ownEntry,
  pointsSpent,
  removeFromRanking,
  setPoints,
  toggleApproval,
  withEntry,
  type Draft,
} from '../domain/ballot-logic';
import { h, setText, uid } from '../core/dom';
import { formatNumber, t, tn } from '../core/i18n';

export interface BallotComponent {
  readonly node: HTMLElement;
}

type OnChange = (draft: Draft) => void;

function announcer(): HTMLElement {
  return h('p', { class: 'ballot-status', attrs: { role: 'status', 'aria-live': 'polite' } });
}

function legend(text: string): HTMLLegendElement {
  return h('legend', null, text);
}

// ---------------------------------------------------------------- plurality and yes/no

function radios(name: string, options: readonly { id: string; label: string }[], selected: string | null, onPick: (id: string) => void): HTMLElement {
  return h(
    'ul',
    { class: 'choices' },
    ...options.map((o) => {
      const id = uid(name);
      const input = h('input', { attrs: { id, type: 'radio', name, value: o.id } });
      input.checked = selected === o.id;
      input.addEventListener('change', () => {
        if (input.checked) onPick(o.id);
      });
      return h('li', null, input, h('label', { attrs: { for: id } }, o.label));
    }),
  );
}

function pluralityBallot(def: RoundDefinition, draft: Extract<Draft, { kind: 'pick' }>, onChange: OnChange): BallotComponent {
  const name = uid('pick');
  return {
    node: h('fieldset', { class: 'ballot' }, legend(t('ballot.plurality.legend')), h('p', { class: 'hint' }, t('ballot.plurality.hint')), radios(name, def.options, draft.pick, (pick) => onChange({ kind: 'pick', pick }))),
  };
}

function yesnoBallot(def: RoundDefinition, draft: Extract<Draft, { kind: 'answer' }>, onChange: OnChange): BallotComponent {
  const name = uid('answer');
  const answers = [
    { id: 'yes', label: t('ballot.yesno.yes') },
    { id: 'no', label: t('ballot.yesno.no') },
    { id: 'abstain', label: t('ballot.yesno.abstain') },
  ];
  return {
    node: h(
      'fieldset',
      { class: 'ballot' },
      legend(t('ballot.yesno.legend', { motion: def.title })),
      h('p', { class: 'hint' }, t('ballot.yesno.hint')),
      radios(name, answers, draft.answer, (answer) => onChange({ kind: 'answer', answer: answer === 'yes' || answer === 'no' ? answer : 'abstain' })),
    ),
  };
}

// ---------------------------------------------------------------- approval

function approvalBallot(def: RoundDefinition, draft: Extract<Draft, { kind: 'approve' }>, onChange: OnChange): BallotComponent {
  const max = def.method === 'approval' ? def.rules.maxApprovals : undefined;
  let selected = [...draft.approve];
  const status = announcer();
  const count = h('p', { class: 'counter' });
  const drawCount = () => {
    setText(count, max === undefined ? tn('ballot.approval.countNoMax', selected.length) : tn('ballot.approval.count', selected.length, { max }));
    count.classList.toggle('full', max !== undefined && selected.length >= max);
  };
  const name = uid('approve');
  const list = h(
    'ul',
    { class: 'choices' },
    ...def.options.map((o) => {
      const id = uid(name);
      const input = h('input', { attrs: { id, type: 'checkbox', name, value: o.id } });
      input.checked = selected.includes(o.id);
      input.addEventListener('change', () => {
        const next = toggleApproval(selected, o.id, input.checked, max);
        if (next.refused) {
          input.checked = false;
          setText(status, t('ballot.approval.refused', { max: max ?? 0 }));
          status.classList.add('warning');
          return;
        }
        status.classList.remove('warning');
        setText(status, '');
        selected = next.approve;
        drawCount();
        onChange({ kind: 'approve', approve: selected });
      });
      return h('li', null, input, h('label', { attrs: { for: id } }, o.label));
    }),
  );
  drawCount();
  return {
    node: h(
      'fieldset',
      { class: 'ballot' },
      legend(t('ballot.approval.legend')),
      h('p', { class: 'hint' }, max === undefined ? t('ballot.approval.hintNoMax') : tn('ballot.approval.hint', max)),
      count,
      list,
      status,
    ),
  };
}

// ---------------------------------------------------------------- score

function scoreBallot(def: RoundDefinition, draft: Extract<Draft, { kind: 'scores' }>, onChange: OnChange): BallotComponent {
  const { min, max } = def.method === 'score' ? def.rules : { min: 0, max: 5 };
  let scores: Record<string, number | null> = { ...draft.scores };
  const steps: number[] = [];
  for (let v = min; v <= max; v += 1) steps.push(v);
  const useRadios = steps.length <= 11;
  const rows = def.options.map((o) => {
    const current = ownEntry(scores, o.id) ?? null;
    const set = (value: number | null) => {
      scores = withEntry(scores, o.id, value);
      onChange({ kind: 'scores', scores });
    };
    if (useRadios) {
      const name = uid('score');
      const choices = [...steps.map((v): { value: number | null; text: string } => ({ value: v, text: formatNumber(v) })), { value: null, text: t('ballot.score.noOpinion') }];
      return h(
        'fieldset',
        { class: 'score-row' },
        legend(o.label),
        h(
          'div',
          { class: 'scale' },
          ...choices.map((c) => {
            const id = uid(name);
            const input = h('input', { attrs: { id, type: 'radio', name, value: c.value === null ? '' : String(c.value) } });
            input.checked = current === c.value;
            input.addEventListener('change', () => {
              if (input.checked) set(c.value);
            });
            return h('span', { class: ['scale-step', c.value === null && 'no-opinion'] }, input, h('label', { attrs: { for: id } }, c.text));
          }),
        ),
      );
    }
    const id = uid('score');
    const select = h(
      'select',
      { attrs: { id } },
      h('option', { attrs: { value: '' } }, t('ballot.score.noOpinion')),
      ...steps.map((v) => h('option', { attrs: { value: String(v) } }, formatNumber(v))),
    );
    select.value = current === null ? '' : String(current);
    select.addEventListener('change', () => set(select.value === '' ? null : Number(select.value)));
    return h('div', { class: ['field', 'score-row'] }, h('label', { attrs: { for: id } }, o.label), select);
  });
  return {
    node: h(
      'fieldset',
      { class: 'ballot' },
      legend(t('ballot.score.legend')),
      h('p', { class: 'hint' }, t('ballot.score.hint', { min, max })),
      ...rows,
    ),
  };
}

// ---------------------------------------------------------------- cumulative

function cumulativeBallot(def: RoundDefinition, draft: Extract<Draft, { kind: 'points' }>, onChange: OnChange): BallotComponent {
  const budget = def.method === 'cumulative' ? def.rules.budget : 0;
  let points: Record<string, number> = { ...draft.points };
  const remaining = h('p', { class: 'counter', attrs: { role: 'status', 'aria-live': 'polite' } });
  const inputs = new Map<string, HTMLInputElement>();
  const minus = new Map<string, HTMLButtonElement>();
  const plus = new Map<string, HTMLButtonElement>();
  const draw = () => {
    const left = budget - pointsSpent(points);
    setText(remaining, tn('ballot.cumulative.remaining', left, { budget }));
    remaining.classList.toggle('full', left === 0);
    for (const o of def.options) {
      const input = inputs.get(o.id);
      const value = ownEntry(points, o.id) ?? 0;
      if (input !== undefined && input.value !== String(value) && document.activeElement !== input) input.value = String(value);
      const m = minus.get(o.id);
      if (m !== undefined) m.disabled = value <= 0;
      const p = plus.get(o.id);
      if (p !== undefined) p.disabled = left <= 0;
    }
  };
  const set = (id: string, wanted: number) => {
    points = setPoints(points, id, wanted, budget);
    draw();
    onChange({ kind: 'points', points: { ...points } });
  };
  const rows = def.options.map((o) => {
    const id = uid('points');
    const input = h('input', { attrs: { id, type: 'number', min: 0, max: budget, step: 1, inputmode: 'numeric' } });
    input.value = String(ownEntry(points, o.id) ?? 0);
    input.addEventListener('input', () => {
      const wanted = input.value === '' ? 0 : Number(input.value);
      set(o.id, wanted);
      // Over the budget (or not a whole number): show at once what was kept.
      if (input.value !== '' && Number(input.value) !== (ownEntry(points, o.id) ?? 0)) input.value = String(ownEntry(points, o.id) ?? 0);
    });
    input.addEventListener('blur', () => {
      input.value = String(ownEntry(points, o.id) ?? 0);
    });
    inputs.set(o.id, input);
    const less = h('button', { class: ['button', 'secondary', 'step'], attrs: { type: 'button', 'aria-label': t('ballot.cumulative.less', { option: o.label }) } }, '−');
    less.addEventListener('click', () => set(o.id, (ownEntry(points, o.id) ?? 0) - 1));
    const more = h('button', { class: ['button', 'secondary', 'step'], attrs: { type: 'button', 'aria-label': t('ballot.cumulative.more', { option: o.label }) } }, '+');
    more.addEventListener('click', () => set(o.id, (ownEntry(points, o.id) ?? 0) + 1));
    minus.set(o.id, less);
    plus.set(o.id, more);
    return h('div', { class: ['field', 'points-row'] }, h('label', { attrs: { for: id } }, o.label), h('div', { class: 'stepper' }, less, input, more));
  });
  draw();
  return {
    node: h('fieldset', { class: 'ballot' }, legend(t('ballot.cumulative.legend')), h('p', { class: 'hint' }, tn('ballot.cumulative.hint', budget)), remaining, ...rows),
  };
}

// ---------------------------------------------------------------- ranked

function rankedBallot(def: RoundDefinition, draft: Extract<Draft, { kind: 'ranking' }>, onChange: OnChange): BallotComponent {
  let ranking = [...draft.ranking];
  const labels = new Map(def.options.map((o) => [o.id, o.label]));
  const label = (id: string) => labels.get(id) ?? id;
  const status = announcer();
  const rankedTitle = uid('ranked');
  const restTitle = uid('unranked');
  const rankedList = h('ol', { class: ['ranking'], attrs: { 'aria-labelledby': rankedTitle } });
  const restList = h('ul', { class: ['ranking', 'unranked'], attrs: { 'aria-labelledby': restTitle } });
  const empty = h('p', { class: 'hint' }, t('ballot.ranked.empty'));

  const change = (next: string[], focus: { id: string; action: string } | null, message: string) => {
    ranking = next;
    draw(focus);
    setText(status, message);
    onChange({ kind: 'ranking', ranking: [...ranking] });
  };
  const placeMessage = (id: string) => t('ballot.ranked.placed', { option: label(id), place: ranking.indexOf(id) + 1, total: ranking.length });

  const actionButton = (text: string, id: string, action: string, onClick: () => void, disabled = false) => {
    const b = h('button', { class: ['button', 'secondary', 'small'], attrs: { type: 'button', 'data-id': id, 'data-action': action, 'aria-label': `${text}: ${label(id)}` } }, text);
    b.disabled = disabled;
    b.addEventListener('click', onClick);
    return b;
  };

  const move = (id: string, to: number, action: string) => {
    const next = moveInRanking(ranking, id, to);
    ranking = next;
    draw({ id, action });
    setText(status, placeMessage(id));
    onChange({ kind: 'ranking', ranking: [...ranking] });
  };

  function startDrag(e: PointerEvent, item: HTMLElement, id: string): void {
    if (e.button !== 0) return;
    e.preventDefault();
    // Listen on the document: moving the item in the list detaches the handle, which would drop a pointer capture.
    const pointer = e.pointerId;
    item.classList.add('dragging');
    let target = ranking.indexOf(id);
    const onMove = (ev: PointerEvent) => {
      if (ev.pointerId !== pointer) return;
      ev.preventDefault();
      const items = [...rankedList.children].filter((c) => c !== item) as HTMLElement[];
      let index = items.length;
      for (const [i, other] of items.entries()) {
        const r = other.getBoundingClientRect();
        if (ev.clientY < r.top + r.height / 2) {
          index = i;
          break;
        }
      }
      if (index !== target) {
        target = index;
        const before = items[index];
        if (before === undefined) rankedList.append(item);
        else rankedList.insertBefore(item, before);
      }
    };
    const onUp = (ev: PointerEvent) => {
      if (ev.pointerId !== pointer) return;
      document.removeEventListener('pointermove', onMove);
      document.removeEventListener('pointerup', onUp);
      document.removeEventListener('pointercancel', onUp);
      item.classList.remove('dragging');
      move(id, target, 'drag');
    };
    document.addEventListener('pointermove', onMove, { passive: false });
    document.addEventListener('pointerup', onUp);
    document.addEventListener('pointercancel', onUp);
  }

  function draw(focus: { id: string; action: string } | null): void {
    rankedList.replaceChildren(
      ...ranking.map((id, i) => {
        const handle = h(
          'span',
          { class: 'drag-handle', attrs: { tabindex: 0, role: 'button', 'data-id': id, 'data-action': 'drag', 'aria-label': t('ballot.ranked.handle', { option: label(id), place: i + 1 }), 'aria-keyshortcuts': 'ArrowUp ArrowDown' } },
          '⋮⋮',
        );
        const item = h(
          'li',
          { class: 'rank-item' },
          handle,
          h('span', { class: 'rank-place', attrs: { 'aria-hidden': 'true' } }, String(i + 1)),
          h('span', { class: 'rank-label' }, label(id)),
          h(
            'span',
            { class: 'rank-actions' },
            actionButton(t('ballot.ranked.up'), id, 'up', () => move(id, i - 1, 'up'), i === 0),
            actionButton(t('ballot.ranked.down'), id, 'down', () => move(id, i + 1, 'down'), i === ranking.length - 1),
            actionButton(t('ballot.ranked.remove'), id, 'remove', () => {
              const next = removeFromRanking(ranking, id);
              const follow = next[i] ?? next[i - 1];
              change(next, follow === undefined ? null : { id: follow, action: 'remove' }, t('ballot.ranked.removed', { option: label(id) }));
            }),
          ),
        );
        handle.addEventListener('pointerdown', (e) => startDrag(e, item, id));
        handle.addEventListener('keydown', (e) => {
          if (e.key === 'ArrowUp' && i > 0) {
            e.preventDefault();
            move(id, i - 1, 'drag');
          } else if (e.key === 'ArrowDown' && i < ranking.length - 1) {
            e.preventDefault();
            move(id, i + 1, 'drag');
          }
        });
        return item;
      }),
    );
    empty.hidden = ranking.length > 0;
    const rest = def.options.filter((o: RoundOption) => !ranking.includes(o.id));
    restList.replaceChildren(
      ...rest.map((o) =>
        h(
          'li',
          { class: 'rank-item' },
          h('span', { class: 'rank-label' }, o.label),
          h(
            'span',
            { class: 'rank-actions' },
            actionButton(t('ballot.ranked.add'), o.id, 'add', () => {
              const next = addToRanking(ranking, o.id);
              ranking = next;
              const following = rest[rest.indexOf(o) + 1] ?? rest[rest.indexOf(o) - 1];
              draw(following === undefined ? { id: o.id, action: 'up' } : { id: following.id, action: 'add' });
              setText(status, placeMessage(o.id));
              onChange({ kind: 'ranking', ranking: [...ranking] });
            }),
          ),
        ),
      ),
    );
    if (focus !== null) {
      const target =
        document.querySelector<HTMLElement>(`[data-id="${CSS.escape(focus.id)}"][data-action="${focus.action}"]:not([disabled])`) ??
        document.querySelector<HTMLElement>(`[data-id="${CSS.escape(focus.id)}"][data-action="drag"]`);
      target?.focus();
    }
  }

  draw(null);
  return {
    node: h(
      'fieldset',
      { class: ['ballot', 'ranked'] },
      legend(t('ballot.ranked.legend')),
      h('p', { class: 'hint' }, def.method === 'stv' ? tn('ballot.ranked.hintSeats', def.seats) : t('ballot.ranked.hint')),
      h('h3', { id: rankedTitle, class: 'small-heading' }, t('ballot.ranked.yourOrder')),
      empty,
      rankedList,
      h('h3', { id: restTitle, class: 'small-heading' }, t('ballot.ranked.notRanked')),
      restList,
      status,
    ),
  };
}

export function ballotFor(def: RoundDefinition, draft: Draft, onChange: OnChange): BallotComponent {
  switch (draft.kind) {
    case 'pick':
      return pluralityBallot(def, draft, onChange);
    case 'answer':
      return yesnoBallot(def, draft, onChange);
    case 'approve':
      return approvalBallot(def, draft, onChange);
    case 'scores':
      return scoreBallot(def, draft, onChange);
    case 'points':
      return cumulativeBallot(def, draft, onChange);
    case 'ranking':
      return rankedBallot(def, draft, onChange);
  }
}
