import { randomUUID } from 'node:crypto';

/** One firing of a rule for one subject (a container id, `host`, or a component name). */
export interface Firing {
  id: string;
  rule: string;
  subject: string;
  message: string;
  startsAt: string;
  endsAt?: string;
  labels: Record<string, string>;
}

/**
 * The de-duplication state: a (rule, subject) pair fires once and stays firing until resolved, whatever
 * more events say the same; a resolve of a pair that is not firing is nothing. So each firing makes exactly
 * one notification, and its end one more.
 */
export class Firings {
  private readonly active = new Map<string, Firing>();

  private static key(rule: string, subject: string): string {
    return `${rule}\u0000${subject}`;
  }

  /** The new firing, or undefined when the pair already fires. */
  fire(
    rule: string,
    subject: string,
    message: string,
    labels: Record<string, string> = {},
    now = new Date(),
  ): Firing | undefined {
    const key = Firings.key(rule, subject);
    if (this.active.has(key)) return undefined;
    const firing: Firing = { id: randomUUID(), rule, subject, message, startsAt: now.toISOString(), labels };
    this.active.set(key, firing);
    return firing;
  }

  /** The firing that ended, or undefined when the pair was not firing. */
  resolve(rule: string, subject: string, message: string, now = new Date()): Firing | undefined {
    const key = Firings.key(rule, subject);
    const firing = this.active.get(key);
    if (!firing) return undefined;
    this.active.delete(key);
    return { ...firing, message, endsAt: now.toISOString() };
  }

  /** Puts back a firing kept from before a restart (its id and start unchanged). */
  restore(firing: Firing): void {
    this.active.set(Firings.key(firing.rule, firing.subject), firing);
  }

  isFiring(rule: string, subject: string): boolean {
    return this.active.has(Firings.key(rule, subject));
  }

  /** Every firing of a rule (a removed rule's firings are dropped without a resolve). */
  ofRule(rule: string): Firing[] {
    return [...this.active.values()].filter((f) => f.rule === rule);
  }

  ofSubject(subject: string): Firing[] {
    return [...this.active.values()].filter((f) => f.subject === subject);
  }

  dropRule(rule: string): void {
    for (const f of this.ofRule(rule)) this.active.delete(Firings.key(f.rule, f.subject));
  }

  list(): Firing[] {
    return [...this.active.values()];
  }
}
