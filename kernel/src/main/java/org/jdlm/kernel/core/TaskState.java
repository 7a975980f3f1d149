package org.jdlm.kernel.core;

/**
 * What a task is doing, as the dump and the hung-task watchdog see it. WAITING is the only state
 * with an edge; IDLE is a kernel thread with nothing to do (kswapd asleep, an idle worker), which
 * blocks nobody and is never reported as hung (Linux's TASK_INTERRUPTIBLE idle sleep).
 */
public enum TaskState {
  RUNNING,
  WAITING,
  IDLE,
  EXITED
}
