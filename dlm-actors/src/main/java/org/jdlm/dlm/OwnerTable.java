package org.jdlm.dlm;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdlm.dlm.core.Effect;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockId;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.MasterOp;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.OwnerLockState;
import org.jdlm.dlm.core.OwnerLockView;
import org.jdlm.dlm.core.OwnerLocks;
import org.jdlm.dlm.core.OwnerResult;

/**
 * The owner table of one lockspace on this node: the core's {@link OwnerLocks} (the process copies
 * of the locks this node holds, which recovery rebuilds masters from), created once the node id is
 * known. <b>This object is the monitor</b>: every caller holds {@code synchronized (table)} around
 * a call and the sends it decides, so API threads and the callback thread see one order of
 * operations per lock. Nothing under the monitor blocks or runs user code: it is held for a core
 * call and a few {@code tell}s. See docs/architecture.md, "The owner side is a monitor".
 */
final class OwnerTable {
  private OwnerLocks locks;

  OwnerLocks locks() {
    return locks;
  }

  void init(NodeId node, int lvblen, int maxLocks, int callbackCapacity) {
    if (locks == null) {
      locks = new OwnerLocks(node, lvblen, maxLocks, callbackCapacity);
    }
  }

  OwnerResult lock(String resource, LockMode mode, Set<LockFlag> flags, byte[] lvb, boolean bast, long process) {
    return locks.lock(resource, mode, flags, lvb, bast, process);
  }

  OwnerResult convert(LockId id, LockMode mode, Set<LockFlag> flags, byte[] lvb) {
    return locks.convert(id, mode, flags, lvb);
  }

  OwnerResult unlock(LockId id, Set<LockFlag> flags, byte[] lvb) {
    return locks.unlock(id, flags, lvb);
  }

  OwnerResult cancel(LockId id) {
    return locks.cancel(id);
  }

  List<MasterOp> onEffect(Effect effect) {
    return locks.onEffect(effect);
  }

  List<OwnerLocks.Delivery> drainCallbacks() {
    return locks.drainCallbacks();
  }

  Optional<OwnerLockView> view(LockId id) {
    return locks == null ? Optional.empty() : locks.view(id);
  }

  Optional<OwnerLockState> state(LockId id) {
    return locks == null ? Optional.empty() : locks.state(id);
  }

  List<OwnerLockView> views() {
    return locks == null ? List.of() : locks.views();
  }

  int liveLockCount() {
    return locks == null ? 0 : locks.liveLockCount();
  }
}
