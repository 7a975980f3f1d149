package org.jdlm.dlm.core;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Messages a master holds for want of a send buffer (docs/kernel.md §11): a FIFO per destination,
 * so a reply delayed by memory pressure is never lost and never overtaken by a later message to
 * the same destination. Pure and not thread-safe; {@code KernelCommMemory} is its shell and
 * guards it. Destinations drain in the order they first had to hold a message.
 *
 * @param <D> a destination (a member)
 * @param <M> a message (in the shell, the send itself)
 */
public final class HeldSends<D, M> {
  private final Map<D, ArrayDeque<M>> held = new LinkedHashMap<>();
  private long heldNow;
  private long heldEver;

  /** True when earlier messages for {@code destination} are held: a new one must queue behind them, memory or not. */
  public boolean mustHold(D destination) {
    return held.containsKey(destination);
  }

  /** Holds {@code message} behind every message held for {@code destination}. */
  public void hold(D destination, M message) {
    held.computeIfAbsent(destination, d -> new ArrayDeque<>()).add(message);
    heldNow++;
    heldEver++;
  }

  /** The message to send next when a buffer is had (oldest of the first destination), or null. */
  public M peek() {
    Iterator<ArrayDeque<M>> it = held.values().iterator();
    return it.hasNext() ? it.next().peek() : null;
  }

  /** Removes the message {@link #peek} returned: it was sent. */
  public M take() {
    Iterator<Map.Entry<D, ArrayDeque<M>>> it = held.entrySet().iterator();
    if (!it.hasNext()) {
      throw new IllegalStateException("take() with nothing held");
    }
    ArrayDeque<M> queue = it.next().getValue();
    M message = queue.poll();
    if (queue.isEmpty()) {
      it.remove();
    }
    heldNow--;
    return message;
  }

  /** Forgets everything held (the lockspace stopped); returns how many messages that was. */
  public long clear() {
    long n = heldNow;
    held.clear();
    heldNow = 0;
    return n;
  }

  public long heldNow() {
    return heldNow;
  }

  /** Messages ever held. */
  public long heldEver() {
    return heldEver;
  }

  /** No empty queue is kept (it would hold back its destination for nothing); the count matches. */
  public void checkInvariants() {
    long n = 0;
    for (Map.Entry<D, ArrayDeque<M>> e : held.entrySet()) {
      if (e.getValue().isEmpty()) {
        throw new IllegalStateException("empty held queue kept for " + e.getKey());
      }
      n += e.getValue().size();
    }
    if (n != heldNow || heldNow > heldEver) {
      throw new IllegalStateException("held count " + heldNow + " but " + n + " messages queued (" + heldEver + " ever)");
    }
  }
}
