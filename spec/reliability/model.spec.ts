import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { program } from './model-program.js';
import { ModelRun } from './model-runner.js';

/** Reasons of a message that never reached a handler. */
const NEVER_HANDLED = new Set([
  'ActorNotFound',
  'ActorStopped',
  'MailboxFull',
  'Timeout',
  'RoutingFailed',
]);

const runs = Number(process.env.MODEL_RUNS ?? 1000);
const seed = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);

/** Every violation of the broker's promises in one run; empty when all hold. */
function violations(run: ModelRun, unhandled: unknown[]): string[] {
  const found: string[] = [...run.unexpected];
  if (unhandled.length > 0) found.push(`unhandled rejections: ${unhandled.map(String).join(', ')}`);
  const keys = new Set([...run.deliveries.keys(), ...run.handled.keys(), ...run.dead.keys()]);
  for (const key of keys) {
    const delivery = run.deliveries.get(key);
    const handled = run.handled.get(key) ?? 0;
    const dead = run.dead.get(key) ?? [];
    const where = `message ${key} (${delivery?.kind ?? 'no sender'}, handled ${handled}, dead ${dead.join('/')}, outcomes ${delivery?.outcomes.join('/') ?? '-'})`;
    if (delivery === undefined) {
      found.push(`${where}: nobody sent it`);
      continue;
    }
    if (handled > 1) found.push(`${where}: handled more than once`);
    if (delivery.kind === 'send') {
      if (delivery.outcomes.length !== 1)
        found.push(`${where}: sender told ${delivery.outcomes.length} times`);
      const outcome = delivery.outcomes[0] ?? '';
      const neverHandled = NEVER_HANDLED.has(outcome) && handled === 0;
      if (neverHandled && (dead.length !== 1 || dead[0] !== outcome))
        found.push(`${where}: no matching dead letter`);
      if (!neverHandled && dead.length > 0)
        found.push(`${where}: dead letter for a handled message`);
      if (!neverHandled && handled === 0) found.push(`${where}: answered without a handler`);
    } else if (delivery.kind === 'cancelled') {
      if (handled > 0 || dead.length > 0 || delivery.outcomes.length > 0)
        found.push(`${where}: withdrawn but went on`);
    } else if (delivery.kind === 'fire') {
      if (delivery.thrown !== undefined) {
        if (handled > 0 || dead.length !== 1 || dead[0] !== delivery.thrown)
          found.push(`${where}: threw ${delivery.thrown}`);
      } else if (handled === 1) {
        if (
          dead.length > 1 ||
          (dead.length === 1 && !['HandlerFailed', 'ActorStopped'].includes(dead[0] as string))
        ) {
          found.push(`${where}: handled, yet dead-lettered`);
        }
      } else if (
        dead.length !== 1 ||
        !['MailboxFull', 'ActorStopped'].includes(dead[0] as string)
      ) {
        found.push(`${where}: lost without a trace`);
      }
    }
  }
  for (const registration of run.registrations) {
    if (registration.maxActive > 1)
      found.push(`actor ${registration.id}: ${registration.maxActive} handlers at once`);
    const last = new Map<number, number>();
    for (const call of registration.calls) {
      if ((last.get(call.priority) ?? 0) > call.seq)
        found.push(`actor ${registration.id}: FIFO broken at ${call.seq}`);
      last.set(call.priority, call.seq);
    }
  }
  const queued = run.queue.toArray();
  if (run.deadLetters.some((letter, i) => queued[i] !== letter))
    found.push('deadLetters$ and the queue disagree');
  const metrics = run.broker.metrics();
  if (metrics.totalSent !== metrics.totalDelivered + metrics.totalFailed) {
    found.push(
      `metrics: sent ${metrics.totalSent} != delivered ${metrics.totalDelivered} + failed ${metrics.totalFailed}`,
    );
  }
  if (run.openHandlers > 0)
    found.push(`${run.openHandlers} handler Observables still subscribed after shutdown`);
  if (run.scheduler.actions.length > 0)
    found.push(`${run.scheduler.actions.length} actions pending after shutdown`);
  return found;
}

describe('model: random programs against the broker', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it(`accounts for every message exactly once (${runs} programs)`, async () => {
    await fc.assert(
      fc.asyncProperty(program, async (commands) => {
        unhandled.length = 0;
        const run = new ModelRun();
        await run.execute(commands);
        expect(violations(run, unhandled)).toEqual([]);
      }),
      { numRuns: runs, seed, verbose: fc.VerbosityLevel.Verbose },
    );
  }, 600_000);
});
