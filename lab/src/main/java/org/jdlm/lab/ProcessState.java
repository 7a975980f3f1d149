package org.jdlm.lab;

/** What the operating system says about a member's recorded process. */
public enum ProcessState {
  /** The process exists and is not stopped. */
  RUNNING,
  /** The process is stopped by SIGSTOP (state {@code T} in {@code /proc/<pid>/stat}). */
  PAUSED,
  /** No such process (or a zombie, or the pid now belongs to a different process). */
  DEAD
}
