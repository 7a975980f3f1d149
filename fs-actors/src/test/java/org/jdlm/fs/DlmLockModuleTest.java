package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.fs.core.DlmReply;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockType;
import org.junit.jupiter.api.Test;

/** {@code gdlm_put_lock} when {@code dlm_unlock} fails: ENOMEM leaks the glock, anything else is a bug. */
class DlmLockModuleTest {

  /** A DLM handle whose unlock refuses with {@code code}; every other call is unexpected. */
  private static LockHandle refusingUnlock(SyncStatus code) {
    return (LockHandle) Proxy.newProxyInstance(LockHandle.class.getClassLoader(), new Class<?>[] {LockHandle.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "unlock" -> throw new DlmException(code, "lock 7", "no send buffer (test)");
          case "id" -> 7L;
          default -> throw new AssertionError("unexpected call " + method.getName());
        });
  }

  private static LockspaceHandle lockspace() {
    return (LockspaceHandle) Proxy.newProxyInstance(LockspaceHandle.class.getClassLoader(),
        new Class<?>[] {LockspaceHandle.class}, (proxy, method, args) -> switch (method.getName()) {
          case "name" -> "gfs2fs";
          default -> throw new AssertionError("unexpected call " + method.getName());
        });
  }

  private static LockModule.Lksb lksb(List<String> seen, LockHandle handle) {
    LockModule.Lksb l = new LockModule.Lksb(GlockName.of(GlockType.INODE, 0x805b), new LockModule.Callbacks() {
      @Override
      public void completed(DlmReply reply) {
        seen.add("completed " + reply);
      }

      @Override
      public void blocking(LockMode mode) {
        seen.add("blocking " + mode);
      }

      @Override
      public void failed(String reason) {
        seen.add("failed " + reason);
      }
    }, 32);
    l.handle(handle);
    return l;
  }

  @Test
  void anUnlockWithoutASendBufferLeaksTheGlockInsteadOfThrowingIntoTheEvictingTask() {
    List<String> seen = new ArrayList<>();
    new DlmLockModule(lockspace()).putLock(lksb(seen, refusingUnlock(SyncStatus.ENOMEM)), Set.of());
    assertThat(seen).as("no completion: the glock stays, as Linux leaks it").isEmpty();
  }

  @Test
  void anyOtherRefusalIsABugAndThrows() {
    List<String> seen = new ArrayList<>();
    assertThatThrownBy(() -> new DlmLockModule(lockspace()).putLock(lksb(seen, refusingUnlock(SyncStatus.EINVAL)),
        Set.of())).isInstanceOf(DlmException.class);
  }
}
