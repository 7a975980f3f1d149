package org.jdlm.fs.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArraySet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.jdlm.recovery.JournalRecovery;

/**
 * This member's {@link JournalRecovery} for {@code NodeRecovery}: the journals of every filesystem
 * mounted here ({@link MountedJournals} register and unregister themselves). Called when a failed
 * member has been fenced, it returns a stage that completes once, on every mounted filesystem whose
 * lockspace the failed member was in, the lockspace has recovered without it, the member's journal
 * is replayed and locks are unblocked — the order of fs-cycles §4.1 (fence, lockspace recovery,
 * journal recovery, unblock). It does not hold up the lockspace's recovery: the journal's glock
 * cannot be granted before the lockspace resumes, so this must run beside it, never before it.
 */
public final class JournalRecoveries implements JournalRecovery, Extension {

  private static final ExtensionId<JournalRecoveries> ID = new ExtensionId<>() {
    @Override
    public JournalRecoveries createExtension(ActorSystem<?> system) {
      return new JournalRecoveries();
    }
  };

  private final Set<MountedJournals> mounts = new CopyOnWriteArraySet<>();

  private JournalRecoveries() {}

  /** The member's registry (created on first use). */
  public static JournalRecoveries get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  void add(MountedJournals m) {
    mounts.add(m);
  }

  void remove(MountedJournals m) {
    mounts.remove(m);
  }

  /** The filesystems mounted on this member, by name. */
  public List<String> mounted() {
    return mounts.stream().map(MountedJournals::fsName).sorted().toList();
  }

  /**
   * {@code failedNode} is the DLM node id ({@code host:port}) the lockspace fenced; the incarnation
   * and the fencing generation are for the log: the lockspace's own generation orders the steps.
   */
  @Override
  public CompletionStage<Void> recover(String failedNode, long incarnation, long generation) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (MountedJournals m : mounts) {
      LockspaceView v = m.view();
      if (v.members().contains(failedNode)) {
        all.add(m.unblockedAfter(v.generation())); // the lockspace has not resumed without it yet
      } else if (m.blocked()) {
        all.add(m.unblockedAfter(m.acknowledged())); // resumed; its journal check is under way
      }
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }
}
