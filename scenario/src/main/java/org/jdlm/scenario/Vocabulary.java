package org.jdlm.scenario;

import java.util.List;
import java.util.Set;

/** Fixed word lists of the scenario language that are not enums of their own. */
public final class Vocabulary {

  private Vocabulary() {}

  /**
   * Request flag names accepted after {@code flags=} (semantics §2.7 in table order): the names of the
   * core's {@code LockFlag}, so the language and the API cannot drift. The parser checks names only, never
   * combinations: an invalid combination is the API's EINVAL (brief §6).
   */
  public static final List<String> DLM_FLAGS =
      java.util.Arrays.stream(org.jdlm.dlm.core.LockFlag.values()).map(Enum::name).toList();

  /**
   * Words that cannot name a lock, because after {@code await} or {@code expect} they start a
   * statement that is not about one lock ({@code await quiet}, {@code expect queues R1 …}).
   */
  public static final Set<String> RESERVED_LOCK_NAMES =
      Set.of("quiet", "recovered", "fenced", "queues", "master", "lockspace");
}
