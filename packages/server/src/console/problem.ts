import { html } from './html.ts';
import { document, type Frame } from './layout.ts';

export interface Problem {
  status: number;
  title: string;
  message: string;
  /** Where to go from here. */
  back?: { href: string; label: string };
}

/** A page that says what went wrong and where to go: inside the frame when signed in. */
export function problemPage(problem: Problem, frame?: Frame): string {
  const back = problem.back ?? (frame ? { href: '/dashboard', label: 'Back to the overview' } : { href: '/dashboard/sign-in', label: 'Go to sign-in' });
  return document(
    problem.title,
    html`<h1>${problem.title}</h1>
<p class="problem" role="alert">${problem.message}</p>
<p><a href="${back.href}">${back.label}</a></p>`,
    frame ? { ...frame, section: null } : undefined,
  );
}
