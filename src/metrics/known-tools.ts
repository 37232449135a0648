// The tools the registry knows, by server path, kept in memory for the gateway's tool
// label: reloaded (at most once a second) when servers or tools change, so a call never
// waits on the database. Until the first load finishes every tool is `other`.
export type ToolRow = { path: string; name: string };

export class KnownToolIndex {
  private known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly load: () => Promise<ToolRow[]>,
    private readonly onError: (err: Error) => void,
  ) {}

  readonly has = (path: string, tool: string): boolean => this.known.has(`${path}\u0000${tool}`);

  /** Loads now; later changes call changed(). */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.load()
      .then((rows) => {
        if (!this.closed) this.known = new Set(rows.map((r) => `${r.path}\u0000${r.name}`));
      })
      .catch((err: Error) => this.onError(err))
      .finally(() => {
        this.loading = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.changed();
        }
      });
    return this.loading;
  }

  /** Servers or tools changed: reload soon, once for a burst of changes. */
  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, 1_000);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
