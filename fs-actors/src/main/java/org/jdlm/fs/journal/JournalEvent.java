package org.jdlm.fs.journal;

/**
 * What a mount's journal layer did, in order, for logs and tests (the steps of fs-cycles §4.1 that
 * happen in the filesystem): which journal it claimed, when it blocked and unblocked locks, which
 * journals it found busy and which it replayed.
 */
public sealed interface JournalEvent {

  /** This member claimed journal {@code jid} at mount; {@code replayed} transactions of its last owner were replayed first. */
  record Claimed(int jid, int replayed) implements JournalEvent {}

  /** Glock requests are blocked: the lockspace is at {@code generation}, recovery has not finished for it. */
  record Blocked(long generation) implements JournalEvent {}

  /** Another member holds the journal glock of {@code jid} (it replays); this one waits for it ("jid=N: Busy"). */
  record Busy(int jid) implements JournalEvent {}

  /**
   * About to replay journal {@code jid} of {@code owner}, holding its glock, with the lockspace at
   * {@code generation} and {@code lockspaceRunning} (lockspace recovery is over by then).
   */
  record Replaying(int jid, String owner, long generation, boolean lockspaceRunning) implements JournalEvent {}

  /** Journal {@code jid} is replayed ({@code transactions} committed ones applied) and marked clean; found clean when 0 after a Busy. */
  record Replayed(int jid, int transactions) implements JournalEvent {}

  /** Every journal of the departed members is clean: locks are unblocked at {@code generation}. */
  record Unblocked(long generation) implements JournalEvent {}
}
