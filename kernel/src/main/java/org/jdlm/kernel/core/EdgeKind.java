package org.jdlm.kernel.core;

/**
 * The edge kinds of the wait-for graph, printed verbatim by the detector (fs-cycles §5.0). The
 * kernel knows the names only; the DLM and the filesystem choose which one a wait registers.
 * {@link #HELD_BY} and {@link #RECLAIMS_VIA} describe ownership and activity, never a wait, so
 * {@link #isWait()} is false for them and a task cannot block on them.
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
  THROTTLED("throttled", Join.OR);

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
