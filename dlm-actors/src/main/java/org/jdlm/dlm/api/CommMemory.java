package org.jdlm.dlm.api;

/**
 * Where the DLM takes the send buffers of messages that leave this member (SPI; docs/kernel.md,
 * "The DLM's send buffers"). None is installed by default: no accounting, and the hot path pays
 * one null check. The node assembly installs one over the member's kernel with
 * {@code org.jdlm.dlm.Dlm.get(system).useKernel(kernel)} before joining lockspaces.
 */
public interface CommMemory {

  /** Opens the send-buffer source of one lockspace at its join; the lockspace closes it when it stops. */
  LockspaceComm open(String lockspace, CommSettings settings);

  /** One lockspace's send buffers. Thread-safe. */
  interface LockspaceComm extends AutoCloseable {

    /**
     * Caller context (the thread calling lock/convert/unlock/cancel, before the owner monitor is
     * taken): a buffer for one message that will leave this member. In a kernel task it may
     * reclaim and block in that task ({@code waits-memory}); elsewhere it never blocks. Returns
     * null when the message goes unaccounted (see the implementation).
     *
     * @throws DlmException ENOMEM when a kernel task's allocation failed after its retries
     */
    Buffer takeInCaller();

    /**
     * Actor context (a master's reply or blocking AST to another member): runs {@code send} now if
     * a buffer can be had without waiting, then frees it; otherwise holds {@code send} behind
     * every message already held for {@code destination} and runs it, in order, once memory is
     * freed. Never blocks and never drops.
     */
    void sendFromActor(Object destination, Runnable send);

    /** Counters for tests and dumps. */
    CommStats stats();

    /** Releases the reserve; held messages are dropped with a warning (the lockspace has stopped). */
    @Override
    void close();
  }

  /** One message's send buffer: released once the message is handed to the transport. */
  interface Buffer extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * @param taken         buffers taken in caller context
   * @param unaccounted   messages sent without a buffer (a non-task caller found no free page)
   * @param held          actor messages held for want of a buffer, ever
   * @param heldNow       actor messages held now
   * @param sentFromActor actor messages sent with a buffer (at once or after being held)
   */
  record CommStats(long taken, long unaccounted, long held, long heldNow, long sentFromActor) {}
}
