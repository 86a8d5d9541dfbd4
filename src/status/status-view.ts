/** The shapes of the status page's JSON (`/api/overview`, `/api/history`), built by StatusModel. */

/** One partition as this instance's pipeline reports it (the shape of /status.json). */
export interface LocalPartition {
  readonly topic: string;
  readonly partition: number;
  readonly state: string;
  readonly committedOffset: number;
  readonly queued: number;
  readonly committedRecords: number;
  readonly deadLetters: number;
  readonly error?: string;
  readonly reason?: string;
}

export interface PartitionView {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
  readonly committed: number | null;
  readonly end: number | null;
  readonly lag: number | null;
  /** Records per second committed, over the last ~30 s. */
  readonly rate: number;
  /** Lag / rate; null when there is lag but no progress (never catches up at this rate). */
  readonly lagSeconds: number | null;
  readonly state: string;
  readonly reason: string | null;
  readonly owner: string | null;
  readonly ownerUrl: string | null;
  readonly deadLetters: number | null;
  readonly queued: number | null;
}

export interface TopicView {
  readonly topic: string;
  readonly group: string;
  readonly partitions: number;
  readonly committed: number;
  readonly end: number;
  readonly lag: number;
  readonly rate: number;
  readonly lagSeconds: number | null;
  readonly deadLetters: number;
}

export interface HistoryPoint {
  /** Epoch seconds. */
  readonly t: number;
  readonly rate: number;
  readonly lag: number;
}

export interface Overview {
  readonly at: string;
  readonly sampledAt: string | null;
  readonly instance: {
    readonly id: string;
    readonly version: string;
    readonly startedAt: string;
    readonly uptimeSeconds: number;
    readonly statusUrl: string;
    readonly rate: number;
    readonly written: number;
    readonly deadLetters: number;
    readonly partitions: number;
    readonly config: Readonly<Record<string, string>>;
  };
  readonly totals: {
    readonly lag: number;
    readonly rate: number;
    readonly lagSeconds: number | null;
    readonly deadLetters: number;
  };
  readonly topics: TopicView[];
  readonly partitions: PartitionView[];
  readonly instances: readonly {
    id: string;
    statusUrl: string;
    version: string;
    ageSeconds: number;
    partitions: number;
  }[];
  readonly problems: readonly string[];
  readonly database: 'ok' | 'unreachable';
  readonly kafka: 'ok' | 'unreachable';
}
