package org.jdlm.fs;

import java.util.Set;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.DlmReply;

/**
 * {@code lock_nolock}: a single-node filesystem; every request is granted at once and nobody ever
 * sends a blocking callback. Used by single-member tests of the glock shell.
 */
public final class NolockModule implements LockModule {

  @Override
  public String name() {
    return "lock_nolock";
  }

  @Override
  public void lock(Lksb lksb, LockMode mode, Set<LockFlag> flags) {
    lksb.handle(mode);
    lksb.callbacks().completed(new DlmReply.Granted(mode));
  }

  @Override
  public void putLock(Lksb lksb, Set<LockFlag> flags) {
    lksb.handle(null);
    lksb.callbacks().completed(DlmReply.UnlockDone.INSTANCE);
  }

  @Override
  public void cancel(Lksb lksb) {
    // Nothing is ever queued.
  }
}
