/**
 * The progress line on standard error: what runs now, how far along, how long
 * is left. On a terminal one line rewritten in place; elsewhere (CI) a line
 * per step. Standard output stays for the results.
 */
export class Progress {
  private readonly startedAt = performance.now();
  private estimatedDone = 0;
  private stepsDone = 0;

  /** `estimatedTotal`: the seconds all `steps` together are expected to take. */
  constructor(
    private readonly estimatedTotal: number,
    private readonly steps: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** A step starts; `estimatedSeconds` is what it is expected to take. */
  step(label: string, estimatedSeconds: number): void {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    // Scale what is left by how far the estimates have been off so far.
    const pace = this.estimatedDone > 0 ? elapsed / this.estimatedDone : 1;
    const left = Math.max(0, (this.estimatedTotal - this.estimatedDone) * pace);
    const line = `[${String(this.stepsDone + 1).padStart(String(this.steps).length)}/${this.steps}] ${label} · ${clock(elapsed)} elapsed, ~${clock(left)} left`;
    this.stream.write(this.stream.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
    this.stepsDone++;
    this.estimatedDone += estimatedSeconds;
  }

  done(): void {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const line = `done in ${clock(elapsed)}`;
    this.stream.write(this.stream.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
  }
}

function clock(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
