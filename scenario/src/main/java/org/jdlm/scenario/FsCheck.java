package org.jdlm.scenario;

import java.util.List;
import java.util.Optional;

/**
 * A fact about a member's filesystem, memory or tasks that {@code expect} checks now and
 * {@code await} waits for ({@link Expectation.Fs}, {@link Condition.Fs}; docs/scenarios.md
 * "Filesystem and kernel").
 */
public sealed interface FsCheck {

  /** {@code nX glock FS T/N state UN|SH|DF|EX} or {@code … gone} (state null: the glock does not exist). */
  record GlockState(Node node, String fs, String glock, String state) implements FsCheck {}

  /** {@code nX glock FS T/N holders T:EX:H,U:SH:W} or {@code holders -}: the holder queue in order. */
  record GlockHolders(Node node, String fs, String glock, List<String> holders) implements FsCheck {
    public GlockHolders {
      holders = List.copyOf(holders);
    }
  }

  /** {@code nX cached FS INO yes|no}. */
  record Cached(Node node, String fs, long ino, boolean cached) implements FsCheck {}

  /**
   * {@code nX memory free>=high|free<high|free<low|free<min} (a watermark) or {@code free>=Np|free<Np}:
   * {@code watermark} is {@code min low high} or null with {@code pages}.
   */
  record MemoryFree(Node node, boolean atLeast, String watermark, long pages) implements FsCheck {}

  /**
   * {@code nX task T done [=> CODE]}, {@code running}, or {@code waiting EDGE}: EDGE is a wait's
   * label ({@code waits-glock(EX)}) or only its kind ({@code waits-memory}).
   */
  record TaskIs(Node node, String task, String status, String edge, Optional<String> code) implements FsCheck {}

  /**
   * {@code dlm FS T/N grant=n1:EX,… convert=n2:NL>EX wait=…} or {@code dlm FS T/N gone}: the DLM
   * resource of the glock on its master, in the filesystem's lockspace; entries name members, since
   * a glock has one DLM lock per member. A key left out is not checked. {@code gone}: no lock on the
   * resource (no master has it, or the master keeps it unused, as fs/dlm's toss list does).
   */
  record DlmQueues(String fs, String glock, boolean gone, Optional<List<String>> grant,
                   Optional<List<String>> convert, Optional<List<String>> waiting) implements FsCheck {}
}
