import { Subject } from 'rxjs';
import type { DeadLetter } from '../../dead-letter/dead-letter.js';
import type { DeadLetterQueue } from '../../dead-letter/dead-letter-queue.js';

/**
 * Receives the broker's log lines about dead letters nobody listens to (`deadLetter` is
 * `undefined` for a line that sums up letters skipped by the rate limit).
 *
 * @example
 * ```ts
 * import { InMemoryMessageBroker, type DeadLetterLogger } from 'rxbroker';
 * const logger: DeadLetterLogger = (line, deadLetter) => console.error(line, deadLetter?.reason);
 * const broker = new InMemoryMessageBroker({ logger });
 * ```
 */
export type DeadLetterLogger = (line: string, deadLetter: DeadLetter | undefined) => void;

/**
 * How many dead letters are logged per interval when nobody listens.
 *
 * @example
 * ```ts
 * import { InMemoryMessageBroker } from 'rxbroker';
 * const broker = new InMemoryMessageBroker({ deadLetterLogLimit: { count: 5, interval: 60_000 } });
 * ```
 */
export interface DeadLetterLogLimit {
  /** Lines per interval; default 10. */
  readonly count: number;
  /** The interval in ms of scheduler time; default 10 000. */
  readonly interval: number;
}

/**
 * @internal Where dead letters go: the attached queue, `deadLetters$` subscribers and, when there is
 * neither, a logger at a bounded rate, so a message never vanishes silently and a flood of them does
 * not flood the log.
 */
export class DeadLetterReporter {
  readonly subject = new Subject<DeadLetter>();
  queue: DeadLetterQueue | null = null;
  count = 0;
  private _windowStart = -Infinity;
  private _logged = 0;
  private _suppressed = 0;

  constructor(
    private readonly _logger: DeadLetterLogger | null,
    private readonly _limit: DeadLetterLogLimit,
  ) {}

  _report(letter: DeadLetter): void {
    this.count++;
    const listened = this.queue !== null || this.subject.observed;
    if (this.queue !== null) {
      try {
        this.queue.push(letter);
      } catch (error) {
        this._diagnose('rxbroker: the dead-letter queue refused a letter', error);
      }
    }
    if (this.subject.observed) this.subject.next(letter);
    if (!listened && this._logger !== null && this._limit.count > 0) this._log(letter);
  }

  /** Logs a problem of the user's code that has nowhere else to go (a throwing teardown). */
  _diagnose(line: string, error: unknown): void {
    this._write(`${line}: ${error instanceof Error ? error.message : String(error)}`, undefined);
  }

  /** A logger that throws must not break the delivery that reported the dead letter. */
  private _write(line: string, letter: DeadLetter | undefined): void {
    if (this._logger === null) return;
    try {
      this._logger(line, letter);
    } catch {
      // Nowhere left to report it; the broker's own work goes on.
    }
  }

  private _log(letter: DeadLetter): void {
    if (letter.at - this._windowStart >= this._limit.interval) {
      if (this._suppressed > 0) {
        this._write(
          `rxbroker: ${this._suppressed} more dead letters not logged (rate limit)`,
          undefined,
        );
      }
      this._windowStart = letter.at;
      this._logged = 0;
      this._suppressed = 0;
    }
    if (this._logged < this._limit.count) {
      this._logged++;
      this._write(
        `rxbroker: dead letter: ${letter.error.message} (handle them with deadLetters$ or a DeadLetterQueue)`,
        letter,
      );
    } else {
      this._suppressed++;
    }
  }
}
