/**
 * A new round (moderators): for a question, whose visible proposals become
 * the options, or free-standing with options typed one per line (a yes/no
 * round has its fixed answers). Method, seats, the method's rules, sealed,
 * revote and an optional closing time, and whether the ballot is secret
 * (the default) or named, like a show of hands.
 */
import { METHODS, type Method } from '../../shared/counting/types';
import { call, type BodyOf } from '../core/api';
import { h } from '../core/dom';
import { flash } from '../core/flash';
import { busy, checkbox, checkRequired, dropDraft, field, form, keepDraft, showFieldError, showProblem, submitButton, type Control } from '../core/forms';
import { t } from '../core/i18n';
import type { RouteContext, View } from '../core/router';
import { methodExplanation } from '../components/rules';
import { heading, link, methodName, notice } from '../components/ui';
import { guardModerator } from './moderate';

type Navigate = (to: string, options?: { replace?: boolean }) => void;

/** Which rule fields belong to which method. */
const RULE_GROUPS: Readonly<Record<string, readonly Method[]>> = {
  approval: ['approval'],
  yesno: ['yesno'],
  score: ['score'],
  cumulative: ['cumulative'],
  stv: ['stv'],
};

function group(name: string, ...rows: HTMLElement[]): HTMLElement {
  return h('div', { class: 'rule-group', attrs: { 'data-group': name } }, ...rows);
}

function intOf(control: Control): number | null {
  const v = control.value.trim();
  if (v === '') return null;
  const n = Number(v);
  return Number.isInteger(n) ? n : NaN;
}

export function roundFormView(navigate: Navigate) {
  return async (ctx: RouteContext): Promise<View> => {
    const blocked = guardModerator(navigate, ctx);
    if (blocked !== null) return blocked;
    const questionId = ctx.query.get('question');
    const sessionId = ctx.query.get('session');
    let questionText: string | null = null;
    if (questionId !== null && sessionId !== null) {
      const s = await call('session', { params: { id: sessionId } });
      if (s.ok) questionText = s.value.session.questions.find((q) => q.id === questionId)?.text ?? null;
    }
    const forQuestion = questionId !== null;
    const title = t(forQuestion ? 'moderate.round.newForQuestion' : 'moderate.round.newFree');

    const methodExplain = h('p', { class: 'hint' });
    const titleField = field({ name: 'title', label: t('moderate.round.fieldTitle'), required: true, maxlength: 300, value: questionText === null ? '' : t('moderate.round.defaultTitle', { question: questionText.slice(0, 200) }) });
    const method = field({
      name: 'method',
      label: t('moderate.round.fieldMethod'),
      type: 'select',
      value: 'approval',
      options: METHODS.map((m) => ({ value: m, label: methodName(m) })),
    });
    const options = field({ name: 'options', label: t('moderate.round.fieldOptions'), type: 'textarea', rows: 5, hint: t('moderate.round.fieldOptionsHint') });
    const seats = field({ name: 'seats', label: t('moderate.round.fieldSeats'), type: 'number', min: 1, max: 100, value: forQuestion ? '3' : '1', inputmode: 'numeric', hint: t('moderate.round.fieldSeatsHint') });
    const maxApprovals = field({ name: 'rules.maxApprovals', label: t('moderate.round.fieldMaxApprovals'), type: 'number', min: 1, value: forQuestion ? '3' : '', inputmode: 'numeric', hint: t('moderate.round.fieldMaxApprovalsHint') });
    const quorumKind = field({
      name: 'rules.quorum',
      label: t('moderate.round.fieldQuorum'),
      type: 'select',
      value: 'none',
      options: [
        { value: 'none', label: t('moderate.round.quorumNone') },
        { value: 'share', label: t('moderate.round.quorumShare') },
        { value: 'absolute', label: t('moderate.round.quorumAbsolute') },
      ],
    });
    const quorumNum = field({ name: 'rules.quorum.numerator', label: t('moderate.round.fieldNumerator'), type: 'number', min: 1, value: '1', inputmode: 'numeric' });
    const quorumDen = field({ name: 'rules.quorum.denominator', label: t('moderate.round.fieldDenominator'), type: 'number', min: 1, value: '2', inputmode: 'numeric' });
    const quorumCount = field({ name: 'rules.quorum.count', label: t('moderate.round.fieldQuorumCount'), type: 'number', min: 1, value: '10', inputmode: 'numeric' });
    const thresholdKind = field({
      name: 'rules.threshold',
      label: t('moderate.round.fieldThreshold'),
      type: 'select',
      value: 'simple',
      options: [
        { value: 'simple', label: t('moderate.round.thresholdSimple') },
        { value: 'qualified', label: t('moderate.round.thresholdQualified') },
      ],
    });
    const thresholdNum = field({ name: 'rules.threshold.numerator', label: t('moderate.round.fieldNumerator'), type: 'number', min: 1, value: '2', inputmode: 'numeric' });
    const thresholdDen = field({ name: 'rules.threshold.denominator', label: t('moderate.round.fieldDenominator'), type: 'number', min: 1, value: '3', inputmode: 'numeric' });
    const scoreMin = field({ name: 'rules.min', label: t('moderate.round.fieldScoreMin'), type: 'number', value: '0', inputmode: 'numeric' });
    const scoreMax = field({ name: 'rules.max', label: t('moderate.round.fieldScoreMax'), type: 'number', value: '5', inputmode: 'numeric' });
    const budget = field({ name: 'rules.budget', label: t('moderate.round.fieldBudget'), type: 'number', min: 1, value: '10', inputmode: 'numeric', required: true });
    const variant = field({
      name: 'rules.variant',
      label: t('moderate.round.fieldVariant'),
      type: 'select',
      value: 'scottish',
      options: [
        { value: 'scottish', label: t('rules.stv.scottish') },
        { value: 'meek', label: t('rules.stv.meek') },
      ],
    });
    // Secret unless the moderator chooses otherwise: the association must ask for a named round, not for a secret one.
    const secret = checkbox('secret', t('moderate.round.fieldSecret'), true, t('moderate.round.fieldSecretHint'));
    const revote = checkbox('revote', t('moderate.round.fieldRevote'), true, t('moderate.round.fieldRevoteHint'));
    const sealed = checkbox('sealed', t('moderate.round.fieldSealed'), false, t('moderate.round.fieldSealedHint'));
    const closesAt = field({ name: 'closesAt', label: t('moderate.round.fieldClosesAt'), type: 'datetime-local', hint: t('moderate.round.fieldClosesAtHint') });

    const quorumShareRows = h('div', { class: 'inline-pair' }, quorumNum.row, quorumDen.row);
    const thresholdRows = h('div', { class: 'inline-pair' }, thresholdNum.row, thresholdDen.row);
    const groups = [
      group('approval', maxApprovals.row),
      group('yesno', quorumKind.row, quorumShareRows, quorumCount.row, thresholdKind.row, thresholdRows),
      group('score', h('div', { class: 'inline-pair' }, scoreMin.row, scoreMax.row)),
      group('cumulative', budget.row),
      group('stv', variant.row),
    ];

    const setShown = (el: HTMLElement, shown: boolean) => {
      el.hidden = !shown;
      for (const c of el.querySelectorAll<Control>('input, select, textarea')) c.disabled = !shown;
    };
    const sync = () => {
      const m = method.control.value as Method;
      methodExplain.textContent = methodExplanation(m);
      for (const g of groups) setShown(g, (RULE_GROUPS[g.dataset['group'] ?? ''] ?? []).includes(m));
      setShown(options.row, !forQuestion && m !== 'yesno');
      setShown(seats.row, m !== 'yesno' && m !== 'irv');
      if (m === 'yesno') {
        setShown(quorumShareRows, quorumKind.control.value === 'share');
        setShown(quorumCount.row, quorumKind.control.value === 'absolute');
        setShown(thresholdRows, thresholdKind.control.value === 'qualified');
      }
    };
    method.control.addEventListener('change', sync);
    quorumKind.control.addEventListener('change', sync);
    thresholdKind.control.addEventListener('change', sync);

    const draftKey = `round:${questionId ?? 'free'}`;
    const f = form(
      (el) => {
        if (!checkRequired(el)) return;
        const m = method.control.value as Method;
        const body: BodyOf<'createRound'> = { title: titleField.control.value, method: m, revote: revote.control.checked, sealed: sealed.control.checked, secret: secret.control.checked };
        if (forQuestion) body.questionId = questionId ?? undefined;
        else if (m !== 'yesno') {
          const labels = options.control.value.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
          if (labels.length === 0) {
            showFieldError(el, options.control, t('error.field.options'));
            return;
          }
          body.options = labels.map((label) => ({ label }));
        }
        const bad = (c: Control) => {
          showFieldError(el, c, t('error.wholeNumber'));
          return true;
        };
        if (m !== 'yesno' && m !== 'irv') {
          const n = intOf(seats.control);
          if (Number.isNaN(n)) return void bad(seats.control);
          if (n !== null) body.seats = n;
        }
        const rules: Record<string, unknown> = {};
        switch (m) {
          case 'approval': {
            const n = intOf(maxApprovals.control);
            if (Number.isNaN(n)) return void bad(maxApprovals.control);
            if (n !== null) rules['maxApprovals'] = n;
            break;
          }
          case 'yesno': {
            if (quorumKind.control.value === 'share') {
              const n = intOf(quorumNum.control);
              const d = intOf(quorumDen.control);
              if (n === null || Number.isNaN(n)) return void bad(quorumNum.control);
              if (d === null || Number.isNaN(d)) return void bad(quorumDen.control);
              rules['quorum'] = { kind: 'share', numerator: n, denominator: d };
            } else if (quorumKind.control.value === 'absolute') {
              const n = intOf(quorumCount.control);
              if (n === null || Number.isNaN(n)) return void bad(quorumCount.control);
              rules['quorum'] = { kind: 'absolute', count: n };
            }
            if (thresholdKind.control.value === 'qualified') {
              const n = intOf(thresholdNum.control);
              const d = intOf(thresholdDen.control);
              if (n === null || Number.isNaN(n)) return void bad(thresholdNum.control);
              if (d === null || Number.isNaN(d)) return void bad(thresholdDen.control);
              rules['threshold'] = { kind: 'qualified', numerator: n, denominator: d };
            } else rules['threshold'] = { kind: 'simple' };
            break;
          }
          case 'score': {
            const lo = intOf(scoreMin.control);
            const hi = intOf(scoreMax.control);
            if (lo === null || Number.isNaN(lo)) return void bad(scoreMin.control);
            if (hi === null || Number.isNaN(hi)) return void bad(scoreMax.control);
            if (hi <= lo) return void showFieldError(el, scoreMax.control, t('error.field.scale'));
            rules['min'] = lo;
            rules['max'] = hi;
            break;
          }
          case 'cumulative': {
            const n = intOf(budget.control);
            if (n === null || Number.isNaN(n)) return void bad(budget.control);
            rules['budget'] = n;
            break;
          }
          case 'stv':
            rules['variant'] = variant.control.value;
            break;
          case 'plurality':
          case 'borda':
          case 'irv':
          case 'schulze':
            break;
        }
        body.rules = rules;
        if (closesAt.control.value !== '') {
          const when = new Date(closesAt.control.value);
          if (Number.isNaN(when.getTime())) return void showFieldError(el, closesAt.control, t('error.field.closesAt'));
          body.closesAt = when.toISOString();
        }
        void busy(el, async () => {
          const res = await call('createRound', { body });
          if (!res.ok) return showProblem(el, res.error);
          dropDraft(draftKey);
          flash(t('moderate.round.made'));
          navigate(`/rounds/${res.value.round.id}`);
        });
      },
      titleField.row,
      method.row,
      methodExplain,
      options.row,
      seats.row,
      ...groups,
      secret.row,
      revote.row,
      sealed.row,
      closesAt.row,
      h('div', { class: 'actions' }, submitButton(t('moderate.round.create'))),
    );
    keepDraft(f, draftKey);
    sync();
    const node = h(
      'div',
      { class: 'page' },
      heading(title),
      questionText === null ? null : notice('info', h('p', null, t('moderate.round.forQuestion')), h('p', null, h('strong', null, questionText)), h('p', null, t('moderate.round.optionsFromProposals'))),
      h('p', null, t('moderate.round.draftExplain')),
      f,
      h('p', null, sessionId === null ? link('/moderate', t('moderate.back')) : link(`/sessions/${sessionId}`, t('moderate.round.backToSession'))),
    );
    return { title, node };
  };
}
