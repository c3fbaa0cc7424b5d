/**
 * Folds run events into the numbers a display shows: hours per stage, bytes, events, rates
 * over a short sliding window, and an ETA. Pure state: the clock is passed in, so it can be
 * tested without waiting.
 */
import type { RunEvent, StageName } from './run-events.js';

const WINDOW_MS = 5_000;

class WindowRate {
  private samples: { at: number; total: number }[] = [];
  add(at: number, total: number): void {
    this.samples.push({ at, total });
    while (this.samples.length > 2 && at - this.samples[0]!.at > WINDOW_MS) this.samples.shift();
  }
  /** Units per second over the window (needs two samples ≥ 250 ms apart). */
  rate(now: number, total: number): number {
    const first = this.samples[0];
    if (!first || now - first.at < 250) return 0;
    return ((total - first.total) * 1000) / (now - first.at);
  }
}

export interface ProgressSnapshot {
  elapsedMs: number;
  totalHours: number;
  toProcess: number;
  upToDate: number;
  download: { done: number; missing: number; failed: number; bytes: number; bytesPerSec: number };
  transform: { done: number; inFlight: number; failed: number; damaged: number; events: number; eventsPerSec: number; quarantined: number };
  activeStages: StageName[];
  etaMs: number | undefined;
}

export class RunProgress {
  private readonly startedAt: number;
  private totalHours = 0;
  private toProcess = 0;
  private upToDate = 0;
  private downloaded = 0;
  private missing = 0;
  private downloadFailed = 0;
  private bytes = 0;
  private transformed = 0;
  private inFlight = 0;
  private transformFailed = 0;
  private damaged = 0;
  private events = 0;
  private quarantined = 0;
  private firstTransformAt: number | undefined;
  private readonly active = new Set<StageName>();
  private readonly byteRate = new WindowRate();
  private readonly eventRate = new WindowRate();

  constructor(now: number) {
    this.startedAt = now;
    this.byteRate.add(now, 0);
    this.eventRate.add(now, 0);
  }

  apply(event: RunEvent, now: number): void {
    switch (event.type) {
      case 'start':
        this.totalHours = event.hours.length;
        break;
      case 'plan':
        this.totalHours = event.total;
        this.toProcess = event.toProcess;
        this.upToDate = event.upToDate;
        break;
      case 'stage-start':
        this.active.add(event.stage);
        break;
      case 'stage-end':
        this.active.delete(event.stage);
        break;
      case 'download-bytes':
        this.bytes += event.bytes;
        this.byteRate.add(now, this.bytes);
        break;
      case 'hour-download':
        if (event.status === 'missing') this.missing++;
        else if (event.status === 'failed') this.downloadFailed++;
        else this.downloaded++;
        break;
      case 'hour-transform-start':
        this.inFlight++;
        this.firstTransformAt ??= now;
        break;
      case 'hour-transform':
        this.inFlight = Math.max(0, this.inFlight - 1);
        if (event.status === 'failed') this.transformFailed++;
        // Damaged on arrival, nothing published: it is downloaded again and counted then.
        else if (event.status === 'refetch') this.downloaded = Math.max(0, this.downloaded - 1);
        else {
          this.transformed++;
          if (event.status === 'damaged') this.damaged++;
        }
        this.events += event.events;
        this.quarantined += event.quarantined;
        this.eventRate.add(now, this.events);
        break;
      default:
        break;
    }
  }

  snapshot(now: number): ProgressSnapshot {
    // Sample on every look too, so a stalled stage's rate decays to zero.
    this.byteRate.add(now, this.bytes);
    this.eventRate.add(now, this.events);
    const settled = this.transformed + this.transformFailed + this.missing + this.downloadFailed;
    const remaining = Math.max(0, this.toProcess - settled);
    let etaMs: number | undefined;
    if (remaining === 0 && this.toProcess > 0) etaMs = 0;
    else if (this.firstTransformAt !== undefined && this.transformed > 0) {
      // Hours finish at the pool's pace once transforms have begun.
      const perHour = (now - this.firstTransformAt) / this.transformed;
      etaMs = perHour * remaining;
    }
    return {
      elapsedMs: now - this.startedAt,
      totalHours: this.totalHours,
      toProcess: this.toProcess,
      upToDate: this.upToDate,
      download: {
        done: this.downloaded,
        missing: this.missing,
        failed: this.downloadFailed,
        bytes: this.bytes,
        bytesPerSec: this.byteRate.rate(now, this.bytes),
      },
      transform: {
        done: this.transformed,
        inFlight: this.inFlight,
        failed: this.transformFailed,
        damaged: this.damaged,
        events: this.events,
        eventsPerSec: this.eventRate.rate(now, this.events),
        quarantined: this.quarantined,
      },
      activeStages: [...this.active],
      etaMs,
    };
  }
}
