package org.jdlm.dlm.core;

/**
 * A lock's identity across the cluster: the owner node that created the process copy, and a
 * number that node assigned ({@code lkid}, never 0). The master keys its master copies by it,
 * so it stays the same across remastering and is what recovery resends.
 *
 * @param owner the node that owns the lock (callbacks go there)
 * @param local the owner's lock number, at least 1
 */
public record LockId(NodeId owner, long local) {

  public LockId {
    if (owner == null) {
      throw new IllegalArgumentException("lock id needs an owner node");
    }
    if (local <= 0) {
      throw new IllegalArgumentException("lock id number " + local + " must be at least 1 (0 means none)");
    }
  }

  @Override
  public String toString() {
    return owner.name() + ":" + Long.toHexString(local);
  }
}
