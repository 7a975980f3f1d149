package org.jdlm.scenario.chaos;

import java.util.HashMap;
import java.util.Map;
import org.jdlm.dlm.core.FencingToken;

/**
 * An in-memory stand-in for the storage-fenced shared disk the workloads write to: per block,
 * a value and the newest token accepted. A write is accepted only with a token at least the newest
 * one accepted (style rule 9: the same grant may write again), and refused without a token. Runs on
 * member JVMs use the real storage-fenced disk instead ({@link DiskRegister}).
 */
public final class SharedDisk implements Register {

  private final Map<String, Long> blocks = new HashMap<>();
  private final Map<String, FencingToken> newest = new HashMap<>();
  private long accepted;
  private long rejected;

  /** The value of {@code block} (0 if never written). */
  @Override
  public synchronized long read(String block) {
    return blocks.getOrDefault(block, 0L);
  }

  /** Writes {@code value} to {@code block} if {@code token} is not older than the newest accepted. */
  @Override
  public synchronized Outcome write(String block, long value, FencingToken token) {
    return accept(block, value, token) ? Outcome.ACCEPTED : Outcome.REJECTED;
  }

  /** {@link #write} as a yes/no. */
  public synchronized boolean accept(String block, long value, FencingToken token) {
    FencingToken last = newest.get(block);
    if (token == null || (last != null && token.compareTo(last) < 0)) {
      rejected++;
      return false;
    }
    newest.put(block, token);
    blocks.put(block, value);
    accepted++;
    return true;
  }

  public synchronized long accepted() {
    return accepted;
  }

  public synchronized long rejected() {
    return rejected;
  }
}
