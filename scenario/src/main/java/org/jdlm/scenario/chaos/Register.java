package org.jdlm.scenario.chaos;

import org.jdlm.dlm.core.FencingToken;

/**
 * The storage the mutex and rw workloads read and write under their locks: named blocks holding a
 * number, each write carrying the writer's fencing token. In-process runs use the in-memory
 * {@link SharedDisk}; runs on member JVMs the lab's storage-fenced shared disk
 * ({@link DiskRegister}), whose refusals are the real fencing's.
 */
public interface Register {

  /** What became of a write. */
  enum Outcome {
    /** The disk took it. */
    ACCEPTED,
    /** The disk refused it (stale token, revoked key): it certainly did not land. */
    REJECTED,
    /** No answer: it may or may not have landed. */
    UNKNOWN
  }

  /** The value of {@code block} (0 if never written). */
  long read(String block) throws Unavailable;

  /** Writes {@code value} to {@code block} with {@code token}. */
  Outcome write(String block, long value, FencingToken token);

  /** A read that got no answer (the disk or the path to it is down, or refused this reader). */
  final class Unavailable extends Exception {
    public Unavailable(String why) {
      super(why, null, false, false);
    }
  }
}
