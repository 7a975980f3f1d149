package org.jdlm.fs;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.DlmReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lock_dlm}: glocks over one DLM lockspace per filesystem, through the public DLM API. The
 * resource name is {@link org.jdlm.fs.core.GlockName#dlmResourceName()}, so DLM and glock dumps join.
 *
 * <p>Not modelled yet: {@code dlm_lock} waiting while the lockspace is stopped for recovery
 * ({@code waits-dlm-running}); the API parks such calls instead, so the calling task does not wait.
 */
public final class DlmLockModule implements LockModule {
  private static final Logger LOG = LoggerFactory.getLogger(DlmLockModule.class);

  private final LockspaceHandle lockspace;

  public DlmLockModule(LockspaceHandle lockspace) {
    this.lockspace = lockspace;
  }

  @Override
  public String name() {
    return "lock_dlm:" + lockspace.name();
  }

  /** The LVB buffer size every glock of this filesystem must use. */
  public int lvbLength() {
    return lockspace.lvbLength();
  }

  @Override
  public void lock(Lksb lksb, LockMode mode, Set<LockFlag> flags) {
    EnumSet<LockFlag> f = flags.isEmpty() ? EnumSet.noneOf(LockFlag.class) : EnumSet.copyOf(flags);
    boolean convert = f.remove(LockFlag.CONVERT);
    LockHandle handle = (LockHandle) lksb.handle();
    if (convert) {
      if (handle == null) {
        throw new IllegalStateException("glock " + lksb.name() + ": conversion to " + mode + " without a DLM lock");
      }
      report(lksb, handle.convert(mode, f, lksb.lvb()));
      return;
    }
    if (handle != null) {
      throw new IllegalStateException("glock " + lksb.name() + ": new DLM request while lock " + handle.id()
          + " exists (a glock has one lkb)");
    }
    LockHandle fresh = lockspace.lock(lksb.name().dlmResourceName(), mode, f, lksb.lvb(),
        (lock, requested) -> lksb.callbacks().blocking(requested));
    lksb.handle(fresh);
    report(lksb, fresh.completion().thenApply(result -> {
      // A first request that was not granted (a TRY that failed, a cancel) leaves no DLM lock
      // behind: the glock's next request is a new one again (GFS2 keeps GLF_INITIAL set).
      DlmReply reply = DlmReply.of(result.status(), result.grantedMode());
      if (reply == DlmReply.TryFailed.INSTANCE || reply == DlmReply.Canceled.INSTANCE) {
        lksb.handle(null);
      }
      return result;
    }));
  }

  @Override
  public void putLock(Lksb lksb, Set<LockFlag> flags) {
    LockHandle handle = (LockHandle) lksb.handle();
    if (handle == null) {
      throw new IllegalStateException("glock " + lksb.name() + ": final put of a glock that has no DLM lock");
    }
    report(lksb, handle.unlock(flags, lksb.lvb()));
  }

  @Override
  public void cancel(Lksb lksb) {
    LockHandle handle = (LockHandle) lksb.handle();
    if (handle != null) {
      handle.cancel(); // the cancelled request's own completion reports ECANCEL
    }
  }

  private static void report(Lksb lksb, CompletionStage<LockResult> stage) {
    stage.whenComplete((result, error) -> {
      if (error != null) {
        // A refused call is a bug in the glock layer (it asked for something illegal): the glock
        // actor crashes on it with the reason rather than waiting for ever.
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        LOG.error("DLM call for glock {} failed: {}", lksb.name(), cause.toString());
        lksb.callbacks().failed(cause.toString());
        return;
      }
      lksb.callbacks().completed(DlmReply.of(result.status(), result.grantedMode()));
    });
  }
}
