package org.jdlm.scenario;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * One statement of a scenario body, in file order, with the position of its first token
 * (header statements are folded into {@link Header}). The meanings quoted here are brief §6;
 * {@code docs/scenarios.md} is the user-facing reference.
 */
public sealed interface Statement {

  /** Where the statement starts (its first token). */
  Position at();

  /**
   * A call on the DLM API made from one node on one named lock. {@code expectedCode} is the
   * synchronous result the file asserts ({@code => CODE}, default {@code OK}); the runner compares
   * it with the API's answer. {@code flags} are names from {@link Vocabulary#DLM_FLAGS}, in file
   * order, passed to the API unchecked for combinations.
   */
  sealed interface Operation extends Statement {
    /** The node that makes the call. */
    Node node();

    /** The lock's scenario name (bound by the {@code lock} statement that introduced it). */
    String lock();

    /** Request flag names, in the order written; empty when no {@code flags=}. */
    Set<String> flags();

    /** The synchronous result code the file expects, {@code OK} unless {@code => CODE}. */
    String expectedCode();
  }

  /** Synchronous result assumed when an operation has no {@code => CODE}. */
  String DEFAULT_CODE = "OK";

  /** {@code nX lock L R MODE [flags=…] [lvb=…] [nobast] [task=T] [=> CODE]}: request a new lock L on R;
   *  {@code nobast} registers no blocking callback for it; {@code task} names the requesting task
   *  (the wait-for-graph detector's {@code nX/task:T}; by default the lock's own name), which also
   *  makes L's conversions. */
  record Lock(Position at, Node node, String lock, String resource, Mode mode, Set<String> flags,
              Optional<Lvb> lvb, boolean noBast, String expectedCode, Optional<String> task) implements Operation {
    public Lock {
      flags = orderedCopy(flags);
      task = task == null ? Optional.empty() : task;
    }

    /** A lock requested by a task of its own name. */
    public Lock(Position at, Node node, String lock, String resource, Mode mode, Set<String> flags,
                Optional<Lvb> lvb, boolean noBast, String expectedCode) {
      this(at, node, lock, resource, mode, flags, lvb, noBast, expectedCode, Optional.empty());
    }
  }

  /** {@code nX convert L MODE [flags=…] [lvb=…] [=> CODE]}: convert L to MODE. */
  record Convert(Position at, Node node, String lock, Mode mode, Set<String> flags,
                 Optional<Lvb> lvb, String expectedCode) implements Operation {
    public Convert {
      flags = orderedCopy(flags);
    }
  }

  /** {@code nX unlock L [flags=…] [lvb=…] [=> CODE]}: release L (or cancel with flags=CANCEL). */
  record Unlock(Position at, Node node, String lock, Set<String> flags, Optional<Lvb> lvb,
                String expectedCode) implements Operation {
    public Unlock {
      flags = orderedCopy(flags);
    }
  }

  /** {@code nX cancel L [flags=…] [=> CODE]}: cancel L's pending request or conversion
   *  (the API's unlock with CANCEL added to the written flags). */
  record Cancel(Position at, Node node, String lock, Set<String> flags, String expectedCode)
      implements Operation {
    public Cancel {
      flags = orderedCopy(flags);
    }
  }

  /** {@code await …}: block (bounded by the header's timeout) until the condition holds. */
  record Await(Position at, Condition condition) implements Statement {}

  /** {@code expect …}: check the cluster's state or a lock's history now; failure fails the file. */
  record Expect(Position at, Expectation expectation) implements Statement {}

  /** {@code kill|pause|resume|restart nX}: act on a member process. */
  record Fault(Position at, FaultKind kind, Node node) implements Statement {}

  /** An fs statement: {@code nX mount|unmount|memory|task …} (docs/scenarios.md "Filesystem and kernel"). */
  record Fs(Position at, Node node, FsCommand command) implements Statement {}

  /** What a fault statement does to its node (brief §6). */
  enum FaultKind {
    /** SIGKILL in jvm mode; abrupt stop in inproc mode. */
    KILL,
    /** SIGSTOP (jvm mode). */
    PAUSE,
    /** SIGCONT after pause. */
    RESUME,
    /** Start the node again after kill. */
    RESTART
  }

  /** An unmodifiable copy that keeps the written order (Set.copyOf would not). */
  private static Set<String> orderedCopy(Set<String> flags) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(flags));
  }
}
