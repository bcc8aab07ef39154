/** One message of the classic builder's JSON stream. */
export type BuildMessage =
  | { stream: string }
  | { aux: { ID: string } }
  | { errorDetail: { message: string; code?: number }; error: string };

/**
 * Stages that run in parallel write through lanes: the earliest unfinished lane streams live, later
 * ones are held and flushed in order when the lanes before them finish, so the output reads as the
 * classic builder's, one stage after another.
 */
export class OrderedOutput {
  private live = 0;
  private readonly held: BuildMessage[][];
  private readonly finished: boolean[];

  constructor(
    private readonly write: (m: BuildMessage) => void,
    lanes: number,
  ) {
    this.held = Array.from({ length: lanes }, () => []);
    this.finished = Array.from({ length: lanes }, () => false);
  }

  lane(i: number): (m: BuildMessage) => void {
    return (m) => {
      if (i === this.live) this.write(m);
      else this.held[i]?.push(m);
    };
  }

  done(i: number): void {
    this.finished[i] = true;
    while (this.live < this.finished.length && this.finished[this.live]) {
      this.live++;
      for (const m of this.held[this.live]?.splice(0) ?? []) this.write(m);
    }
  }
}
