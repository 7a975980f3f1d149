package org.jdlm.kernel.core;

/**
 * The edge kinds of the wait-for graph, printed verbatim by the detector (fs-cycles §5.0). The
 * kernel knows the names only; the DLM and the filesystem choose which one a wait registers.
 * {@link #HELD_BY} and {@link #RECLAIMS_VIA} describe ownership and activity, never a wait, so
 * {@link #isWait()} is false for them and a task cannot block on them.
 *
 * <p>The kinds after {@link #THROTTLED} are the extra labels the §5.1–§5.5 prints use for
 * dependencies that are not a task's own wait: an object's step that needs another object
 * ({@code final-put}, {@code dlm_unlock(lkb ..)}), and an OR node's providers
 * ({@code only-source}, {@code source}, {@code run-by}, {@code all-workers}). The detector's graph
 * ({@code org.jdlm.kernel.core.waits}) treats every edge as "needs"; AND/OR belongs to the vertex
 * there, so these kinds carry no join of their own.
 */
public enum EdgeKind {
  WAITS_GLOCK("waits-glock", Join.AND),
  HELD_BY("held-by", null),
  WAITS_DLM_GRANT("waits-dlm-grant", Join.AND),
  WAITS_DLM_RUNNING("waits-dlm-running", Join.AND),
  WAITS_FENCING("waits-fencing", Join.AND),
  WAITS_MEMORY("waits-memory", Join.OR),
  RECLAIMS_VIA("reclaims-via", null),
  WAITS_PAGE_LOCK("waits-page-lock", Join.AND),
  WAITS_REPLY("waits-reply", Join.AND),
  THROTTLED("throttled", Join.OR),
  /** An inode's eviction needs its glock's final put (§5.1 [2]). */
  FINAL_PUT("final-put", null),
  /** A glock's final put needs the DLM unlock message sent (§5.1 [3]); argument {@code lkb ID}. */
  DLM_UNLOCK("dlm_unlock", null),
  /** An OR node's one and only provider (§5.1 [5]: memory whose only reclaimer is kswapd). */
  ONLY_SOURCE("only-source", null),
  /** One of several providers of an OR node (a reclaimer of memory, a completer of a bdi's writeback). */
  SOURCE("source", null),
  /** A fence is carried out by this task (§5.2 [6]). */
  RUN_BY("run-by", null),
  /** A worker pool is served by its workers (§5.3 [4]): OR over them. */
  ALL_WORKERS("all-workers", null);

  private final String label;
  private final Join defaultJoin;

  EdgeKind(String label, Join defaultJoin) {
    this.label = label;
    this.defaultJoin = defaultJoin;
  }

  /** The detector's spelling, e.g. {@code waits-memory}. */
  public String label() {
    return label;
  }

  /** AND/OR as §5.0 defines it for this kind; null for non-wait kinds. */
  public Join defaultJoin() {
    return defaultJoin;
  }

  public boolean isWait() {
    return defaultJoin != null;
  }
}
