package org.jdlm.member;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.dump.DumpRenderer;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * A member's lock dump, read-only: {@code GET /dump[?ls=L][&format=text|records]} answers this
 * member's own part of every lockspace it joined (or of {@code L}), node ids replaced by member
 * names; {@code dlm dump} merges every member's records ({@link DumpWire}) into a cluster dump
 * (docs/dump-format.md). Every member serves it, lab or not: it changes nothing.
 */
public final class DumpEndpoint {
  private final ActorSystem<?> system;
  private final String selfName;
  private final Duration dumpTimeout;
  private final MemberNames names;

  private DumpEndpoint(ActorSystem<?> system, String selfName, Duration dumpTimeout) {
    this.system = system;
    this.selfName = selfName;
    this.dumpTimeout = dumpTimeout;
    this.names = new MemberNames(system);
  }

  /** Registers {@code /dump} on {@code control}; {@code dumpTimeout} bounds one lockspace's own dump. */
  public static void install(ActorSystem<?> system, ControlEndpoint control, String selfName, Duration dumpTimeout) {
    DumpEndpoint e = new DumpEndpoint(system, selfName, dumpTimeout);
    control.register("/dump", e::dump);
  }

  /** This member's own part of each lockspace it joined (or of {@code ls}), nodes named nK. */
  private ControlEndpoint.Response dump(ControlEndpoint.Request request) throws Exception {
    String only = request.query().get("ls");
    String format = request.query().getOrDefault("format", "text");
    if (!format.equals("text") && !format.equals("records")) {
      return ControlEndpoint.Response.error(400, "/dump: unknown format '" + format + "' (expected text or records)");
    }
    List<String> lockspaces = new ArrayList<>();
    if (only != null && !only.isEmpty()) {
      if (Dlm.get(system).lockspace(only) == null) {
        return ControlEndpoint.Response.error(400, "/dump: lockspace '" + only + "' is not joined on " + selfName
            + " (joined: " + String.join(" ", Dlm.get(system).lockspaceNames()) + ")");
      }
      lockspaces.add(only);
    } else {
      lockspaces.addAll(Dlm.get(system).lockspaceNames());
    }
    List<LockspaceDump> dumps = new ArrayList<>();
    for (String ls : lockspaces) {
      LockspaceHandle h = Dlm.get(system).lockspace(ls);
      if (h == null) {
        continue; // still joining: nothing to show yet
      }
      LockspaceDump d;
      try {
        d = h.dump().toCompletableFuture().get(dumpTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new IllegalStateException(selfName + ": no dump of lockspace " + ls + " within " + dumpTimeout.toMillis() + " ms");
      }
      dumps.add(named(d, names::nameOf));
    }
    if (format.equals("records")) {
      return ControlEndpoint.Response.ok(DumpWire.encode(dumps));
    }
    StringBuilder out = new StringBuilder();
    dumps.forEach(d -> out.append(DumpRenderer.render(d)));
    return ControlEndpoint.Response.ok(out.toString());
  }

  /** {@code dump} with every node id ({@code host:port}) replaced by what {@code name} makes of it. */
  public static LockspaceDump named(LockspaceDump d, Function<String, String> name) {
    List<LockspaceDump.ResourceDump> resources = d.resources().stream().map(r -> new LockspaceDump.ResourceDump(
        r.name(), name.apply(r.master()), name.apply(r.directoryNode()), queue(r.grant(), name), queue(r.convert(), name),
        queue(r.waiting(), name), r.lvbHex(), r.lvbSeq(), r.valNotValid())).toList();
    List<LockspaceDump.OwnedLock> held = d.ownedLocks().stream().map(l -> new LockspaceDump.OwnedLock(l.lockId(),
        l.resource(), "?".equals(l.master()) ? l.master() : name.apply(l.master()), l.state(), l.granted(),
        l.requested(), l.flags(), l.lvbHex(), l.token())).toList();
    return new LockspaceDump(d.lockspace(), name.apply(d.node()), d.state(), d.generation(),
        d.members().stream().map(name).toList(), resources, held, d.missing());
  }

  private static List<LockspaceDump.QueuedLock> queue(List<LockspaceDump.QueuedLock> q, Function<String, String> name) {
    return q.stream().map(l -> new LockspaceDump.QueuedLock(l.lockId(), name.apply(l.owner()), l.granted(), l.requested(),
        l.flags())).toList();
  }
}
