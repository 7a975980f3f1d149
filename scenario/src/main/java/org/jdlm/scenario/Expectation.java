package org.jdlm.scenario;

import java.time.Duration;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an {@code expect} checks (brief §6). Per-lock expectations name a lock introduced by an
 * earlier {@code lock} statement; the others name a resource or the lockspace.
 */
public sealed interface Expectation {

  /** {@code expect L granted M}: L sits on its resource's grant queue in mode M. */
  record Granted(String lock, Mode mode) implements Expectation {}

  /** {@code expect L waiting M}: L sits on the wait queue, requesting M. */
  record Waiting(String lock, Mode mode) implements Expectation {}

  /** {@code expect L converting F>T}: L sits on the convert queue, granted F, requesting T. */
  record Converting(String lock, Mode from, Mode to) implements Expectation {}

  /** {@code expect L gone}: L no longer exists (unlocked, cancelled request, or purged). */
  record Gone(String lock) implements Expectation {}

  /** {@code expect L lvb V}: L's value-block buffer holds V zero-padded to the lockspace's lvblen. */
  record LvbEquals(String lock, Lvb value) implements Expectation {}

  /** {@code expect L lvb zero}: L's value-block buffer is all zero bytes. */
  record LvbZero(String lock) implements Expectation {}

  /** {@code expect L sbflags A,B} / {@code sbflags none}: the flags of L's latest completion are
   *  exactly this set. */
  record SbFlags(String lock, Set<SbFlag> flags) implements Expectation {
    public SbFlags {
      flags = flags.isEmpty()
          ? Collections.unmodifiableSet(EnumSet.noneOf(SbFlag.class))
          : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    }
  }

  /**
   * {@code expect L events cast OK, bast EX} / {@code events none}: exactly these callbacks, in
   * delivery order, reached L since L's previous {@code expect L events} (or since the start).
   * Awaits do not hide callbacks from this list.
   */
  record Events(String lock, List<Callback> callbacks) implements Expectation {
    public Events {
      callbacks = List.copyOf(callbacks);
    }
  }

  /**
   * {@code expect queues R grant=… convert=… wait=…}: the queues of resource R. A key that is
   * written is checked ({@code -} means that queue is empty); a key that is left out is not
   * checked. The grant queue is compared as a set; convert and wait queues in order.
   */
  record Queues(String resource, Optional<List<Held>> grantQueue,
                Optional<List<Conversion>> convertQueue, Optional<List<Held>> waitQueue)
      implements Expectation {
    public Queues {
      grantQueue = grantQueue.map(List::copyOf);
      convertQueue = convertQueue.map(List::copyOf);
      waitQueue = waitQueue.map(List::copyOf);
    }
  }

  /** One entry of a grant or wait queue: {@code L:MODE} (granted mode, or requested mode). */
  record Held(String lock, Mode mode) {}

  /** One entry of a convert queue: {@code L:FROM>TO}. */
  record Conversion(String lock, Mode from, Mode to) {}

  /** {@code expect master R nX}: node nX masters resource R. */
  record Master(String resource, Node node) implements Expectation {}

  /**
   * {@code expect deadlock within D}: the wait-for-graph detector reports a deadlock (a knot) on
   * some member within D of this line (docs/detector.md); reports made earlier in the file count.
   */
  record Deadlock(Duration within) implements Expectation {}

  /** {@code expect livelock within D}: a livelock suspect is reported within D (earlier ones in the file count). */
  record Livelock(Duration within) implements Expectation {}

  /** {@code expect no-deadlock for D}: for D from this line, no member reports a new deadlock. */
  record NoDeadlock(Duration duration) implements Expectation {}

  /**
   * {@code expect knot contains P …}: the file's latest deadlock report has, for every pattern, a
   * vertex that matches it ({@code *} matches any characters: {@code n1/task:A}, {@code n2/lkb:*}).
   */
  record KnotContains(List<String> patterns) implements Expectation {
    public KnotContains {
      patterns = List.copyOf(patterns);
    }
  }

  /** {@code expect lockspace stopped|running}: the lockspace is stopped for recovery, or running. */
  record LockspaceState(State state) implements Expectation {
    /** The two states {@code expect lockspace} can name. */
    public enum State { STOPPED, RUNNING }
  }

  /** {@code expect} of a filesystem, memory or task fact ({@link FsCheck}). */
  record Fs(FsCheck check) implements Expectation {}
}
