package org.jdlm.fs.core;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A page-cache page's data state (its lock, owned by a task, is separate). Transitions:
 *
 * <pre>
 *   NEW ──read in / zero──▶ UPTODATE ──write──▶ DIRTY ──start writeback──▶ WRITEBACK
 *    │                       ▲  │                 │                          │
 *    │                       │  └─────drop────┐   └──cancel (truncate)──┐    │
 *    │                       └───────────────────────── end writeback ──┼────┘
 *    └──drop (read failed)──────────────────▶ GONE ◀───────────────────┘
 *   NEW ──write of the whole page──▶ DIRTY
 * </pre>
 *
 * Only a task that holds the page lock changes the state. A DIRTY or WRITEBACK page exists only
 * while its inode glock is held EX on this member: the demote writes it back first (go_sync),
 * which is the coherence rule. Reclaim drops only UPTODATE pages that are not locked.
 */
public enum PageState {
  NEW, UPTODATE, DIRTY, WRITEBACK, GONE;

  private static final Map<PageState, Set<PageState>> LEGAL = Map.of(
      NEW, EnumSet.of(UPTODATE, DIRTY, GONE),
      UPTODATE, EnumSet.of(DIRTY, GONE),
      DIRTY, EnumSet.of(WRITEBACK, GONE),
      WRITEBACK, EnumSet.of(UPTODATE),
      GONE, EnumSet.noneOf(PageState.class));

  /** The legal next states. */
  public Set<PageState> targets() {
    return LEGAL.get(this);
  }

  /** {@code next}, or an IllegalStateException naming both when the move is not legal. */
  public PageState transitionTo(PageState next) {
    if (!LEGAL.get(this).contains(next)) {
      throw new IllegalStateException("page cannot go from " + this + " to " + next + " (legal: " + targets() + ")");
    }
    return next;
  }

  /** Whether the page holds the block's current contents. */
  public boolean uptodate() {
    return this == UPTODATE || this == DIRTY || this == WRITEBACK;
  }

  /** Whether the page counts as dirty in the backing device's accounting. */
  public boolean dirty() {
    return this == DIRTY;
  }
}
