package org.jdlm.fs;

import java.util.Set;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.DlmReply;
import org.jdlm.fs.core.GlockName;

/**
 * GFS2's {@code lm_lockops}: how glocks reach the lock manager. Every call is made by the task
 * whose context the work belongs to (fs-cycles §1.6–§1.7): a promote started by {@code nq} in the
 * enqueuing task, a demote in a glock workqueue worker, the final put ({@link #putLock}) in the
 * putting task. This is the seam where the DLM's send path will allocate its message buffer from
 * the calling task's kernel memory (cycle (a), fs-cycles §5.1): today no call here allocates.
 *
 * <p>Calls never wait for the lock manager's answer: completions and blocking callbacks arrive
 * later through the glock's {@link Callbacks} (GFS2's {@code gdlm_ast} / {@code gdlm_bast}).
 */
public interface LockModule {

  /** The module's name for dumps and logs ({@code lock_dlm}, {@code lock_nolock}). */
  String name();

  /** What the lock module tells a glock: {@code gdlm_ast} and {@code gdlm_bast}. Must not block. */
  interface Callbacks {
    /** A request, conversion or unlock completed. */
    void completed(DlmReply reply);

    /** Another node wants {@code mode} and our lock blocks it. */
    void blocking(LockMode mode);

    /** The lock manager refused a call the glock made: a bug in the glock layer. */
    void failed(String reason);
  }

  /** {@code gdlm_lock}: a first request, or a conversion when {@code flags} contains CONVERT. */
  void lock(Lksb lksb, LockMode mode, Set<LockFlag> flags);

  /** {@code gdlm_put_lock}: the final put's unlock. Runs in the putting task's thread. */
  void putLock(Lksb lksb, Set<LockFlag> flags);

  /** {@code gdlm_cancel}: cancel a queued request or conversion. */
  void cancel(Lksb lksb);

  /** A glock's lock status block ({@code gl_lksb}): one per glock, created by {@link Lksb#Lksb}. */
  final class Lksb {
    private final GlockName name;
    private final Callbacks callbacks;
    private final byte[] lvb;
    /** The module's handle for the glock's lock (a DLM {@code LockHandle}); null before the first request. */
    private volatile Object handle;

    public Lksb(GlockName name, Callbacks callbacks, int lvbLength) {
      this.name = name;
      this.callbacks = callbacks;
      this.lvb = name.type().hasLvb() ? new byte[lvbLength] : null;
    }

    public GlockName name() {
      return name;
    }

    public Callbacks callbacks() {
      return callbacks;
    }

    /** The value block buffer ({@code gl_lksb.sb_lvbptr}), or null for types without one. */
    public byte[] lvb() {
      return lvb;
    }

    public Object handle() {
      return handle;
    }

    public void handle(Object h) {
      this.handle = h;
    }
  }
}
