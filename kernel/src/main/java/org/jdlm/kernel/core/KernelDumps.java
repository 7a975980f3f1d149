package org.jdlm.kernel.core;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The text of {@code dlm dump --memory} and {@code dlm dump --tasks} for one member. Pure
 * formatting of snapshots, so the CLI (later work) and scenario failure reports print the same
 * thing. Format: one header line, then one indented line per item; documented in docs/kernel.md.
 */
public final class KernelDumps {
  private KernelDumps() {}

  public static String memory(String member, MemorySnapshot m) {
    StringBuilder b = new StringBuilder();
    MemoryBudget.Watermarks wm = m.watermarks();
    String level = m.level();
    b.append("MEMORY member=").append(member).append(" total=").append(m.totalPages()).append("p page=")
        .append(m.pageSize()).append("B free=").append(m.freePages()).append("p used=").append(m.usedPages())
        .append("p min=").append(wm.min()).append(" low=").append(wm.low()).append(" high=").append(wm.high())
        .append(" [").append(level).append("]\n");
    b.append("  kswapd: ").append(m.kswapd()).append('\n');
    b.append("  reclaimers: ").append(m.reclaimers().isEmpty() ? "-" : String.join(", ", m.reclaimers())).append('\n');
    b.append("  waiters: ").append(m.waiters().isEmpty() ? "-" : String.join(", ", m.waiters())).append('\n');
    for (MemorySnapshot.ShrinkerView s : m.shrinkers()) {
      b.append("  shrinker ").append(s.name()).append(" seeks=").append(s.seeks()).append(" needs=")
          .append(needs(s)).append(" freeable=").append(s.lastFreeable()).append(" scanned=").append(s.scanned())
          .append(" freed=").append(s.freed()).append(" stops=").append(s.stops()).append('\n');
    }
    for (MemorySnapshot.MempoolView p : m.mempools()) {
      b.append("  mempool ").append(p.name()).append(" elements=").append(p.available()).append('/')
          .append(p.minElements()).append(" element=").append(p.elementPages()).append("p served=")
          .append(p.served()).append(" from-reserve=").append(p.fromReserve()).append('\n');
    }
    for (MemoryState.Bdi d : m.bdis()) {
      b.append("  bdi ").append(d.name()).append(" dirty=").append(d.dirty()).append("p writeback=")
          .append(d.writeback()).append("p\n");
    }
    MemorySnapshot.Counters c = m.counters();
    b.append("  counters: allocations=").append(c.allocations()).append(" failures=").append(c.failures())
        .append(" waits=").append(c.waits()).append(" direct-reclaims=").append(c.directReclaims())
        .append(" reserve-grants=").append(c.reserveGrants()).append(" kswapd-rounds=").append(c.kswapdRounds())
        .append(" objects-freed=").append(c.objectsFreed()).append(" throttles=").append(c.throttles()).append('\n');
    return b.toString();
  }

  public static String tasks(String member, List<TaskSnapshot> tasks, long nowNanos) {
    StringBuilder b = new StringBuilder();
    long waiting = tasks.stream().filter(t -> t.state() == TaskState.WAITING).count();
    b.append("TASKS member=").append(member).append(" count=").append(tasks.size()).append(" waiting=")
        .append(waiting).append('\n');
    for (TaskSnapshot t : tasks) {
      b.append("  ").append(t.endpoint()).append(" flags=")
          .append(t.flags().isEmpty() ? "-" : t.flags().stream().sorted().map(Enum::name).collect(Collectors.joining(",")))
          .append(' ').append(t.state()).append(' ').append(seconds(t.forNanos(nowNanos)));
      if (!t.activity().isEmpty()) {
        b.append(" activity=").append(t.activity());
      }
      if (t.waitEdge() != null) {
        b.append(" --").append(t.waitEdge().label()).append(' ').append(t.waitEdge().join()).append("--> ")
            .append(String.join(",", t.waitEdge().targets()));
      }
      b.append('\n');
    }
    return b.toString();
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
  }

  private static String needs(MemorySnapshot.ShrinkerView s) {
    if (s.needsFs() && s.needsIo()) {
      return "FS,IO";
    }
    return s.needsFs() ? "FS" : s.needsIo() ? "IO" : "-";
  }
}
