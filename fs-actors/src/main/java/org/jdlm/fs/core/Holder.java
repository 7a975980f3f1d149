package org.jdlm.fs.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * One holder on a glock's queue ({@code struct gfs2_holder}): an immutable snapshot. A holder
 * is either granted ({@code HIF_HOLDER}) or waiting ({@code HIF_WAIT}); granted holders sit at the
 * head of the queue.
 *
 * @param id       caller-chosen id, unique on the glock
 * @param state    requested state (SH, DF or EX; UN is never requested)
 * @param flags    request options
 * @param pid      owning task's pid, for the recursion check and the dump (0 = none)
 * @param comm     the owning task's name for the dump, or {@code null} if the task has ended
 * @param caller   the call site printed at the end of the {@code H:} line
 * @param queuedAt when the holder was queued (clock millis), to lengthen the hold time after long waits
 * @param granted  granted (H) or waiting (W)
 */
public record Holder(HolderId id, GlockState state, Set<HolderFlag> flags, long pid, String comm, String caller,
                     long queuedAt, boolean granted) {

  public Holder {
    flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
  }

  /** A new, waiting holder; validates the request (bad input gets a clear error). */
  public static Holder request(HolderId id, GlockState state, Set<HolderFlag> flags, long pid, String comm,
                               String caller, long now) {
    if (state == null || state == GlockState.UN) {
      throw new IllegalArgumentException("holder " + id + " asks for " + state
          + ": a holder requests SH, DF or EX (dropping a glock is a dequeue)");
    }
    if (flags.contains(HolderFlag.ANY) && state == GlockState.EX) {
      throw new IllegalArgumentException("holder " + id
          + " asks for EX with ANY: ANY lets an SH request be granted as DF and vice versa, it has no meaning for EX");
    }
    if (flags.contains(HolderFlag.NODE_SCOPE) && state != GlockState.EX) {
      throw new IllegalArgumentException("holder " + id + " asks for " + state
          + " with NODE_SCOPE: only EX holders share node-wide");
    }
    if (pid < 0) {
      throw new IllegalArgumentException("holder " + id + " has negative pid " + pid);
    }
    return new Holder(id, state, flags, pid, comm, caller == null ? "?" : caller, now, false);
  }

  Holder grant() {
    return new Holder(id, state, flags, pid, comm, caller, queuedAt, true);
  }

  /** Whether the recursion check applies: a holder with a task behind it ({@code pid_is_meaningful}). */
  public boolean pidMeaningful() {
    return pid != 0 && !flags.contains(HolderFlag.NOPID);
  }

  public boolean isTry() {
    return HolderFlag.isTry(flags);
  }
}
