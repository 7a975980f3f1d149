package org.jdlm.dlm.api;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import org.jdlm.dlm.core.LockMode;

/**
 * A {@link ReadWriteLock} over one DLM resource: the read lock is PR (shared with other readers on
 * every node), the write lock is EX. Both behave as {@link DlmLock} (not reentrant, no
 * conditions; a reader that asks for the write lock waits for itself forever, as with
 * {@link java.util.concurrent.locks.ReentrantReadWriteLock}).
 */
public final class DlmReadWriteLock implements ReadWriteLock {

  private final DlmLock read;
  private final DlmLock write;

  /** Read (PR) and write (EX) locks on {@code name}. */
  public DlmReadWriteLock(LockspaceHandle lockspace, String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    this.read = new DlmLock(lockspace, bytes, LockMode.PR);
    this.write = new DlmLock(lockspace, bytes, LockMode.EX);
  }

  @Override
  public Lock readLock() {
    return read;
  }

  @Override
  public Lock writeLock() {
    return write;
  }
}
