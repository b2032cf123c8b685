/**
 * Situations the browser tests start from, made through the API in a test's
 * own scene: a question with proposals (one of them full of HTML) and its
 * "Top 3" approval round, and a member signed in on a phone.
 */
import type { Person, Scene } from './scene';
import { PHONE, type Watched } from './harness';

export const XSS_TITLE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
export const XSS_BODY = '<b>vet</b> & <a href="javascript:alert(1)">klik</a>';

/** The first question of the demo session, with its three proposals. */
export const QUESTION = {
  text: 'Welk doel willen we bereiken door een ecosysteem te vormen dat de werkenden centraal zet?',
  proposals: [
    { title: 'Sturen op intrinsieke motivatie in plaats van dwang', body: 'Productiviteit groeit met motivatie.' },
    { title: 'Gedeelde waarden als uitgangspunt, geen wij-zij tussen zzp en loondienst', body: 'Iedereen draagt op eigen wijze bij.' },
    { title: 'De mens als uitgangspunt: van welvaart naar welzijn', body: 'Bruto Nationaal Geluk.' },
  ],
} as const;

export interface QuestionRound {
  readonly sessionId: string;
  readonly questionId: string;
  readonly roundId: string;
  readonly title: string;
}

/**
 * A session whose first question has the three proposals and the HTML one
 * (by the member whose token is given), and its open "Top 3" approval round, as a moderator makes it
 * from the question. Whoever should vote must be active before this.
 */
export async function questionRound(s: Scene, authorToken: string): Promise<QuestionRound> {
  const session = await s.session('Platform vernieuwen', [{ text: QUESTION.text, proposals: [...QUESTION.proposals, { title: XSS_TITLE, body: XSS_BODY }] }], authorToken);
  const questionId = session.questions[0]?.id ?? '';
  const title = `Top 3: ${QUESTION.text}`;
  const roundId = await s.openRound({ title, method: 'approval', questionId, seats: 3, rules: { maxApprovals: 3 } });
  return { sessionId: session.id, questionId, roundId, title };
}

/** An active member, signed in on a phone of their own. */
export async function memberOnPhone(s: Scene, name: string): Promise<{ person: Person; w: Watched; token: string }> {
  const person = await s.activeMember(name);
  const login = await s.api.login(person.email, person.password);
  const w = await s.open(`phone-${name.replace(/\W+/g, '-')}`, { viewport: PHONE, hasTouch: true, isMobile: true });
  await s.signIn(w, person);
  return { person, w, token: login.accessToken };
}
