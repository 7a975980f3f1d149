package org.jdlm.dlm;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.jdlm.dlm.Dlm;
import org.jdlm.kernel.DetectorSettings;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.waits.FactSink;

/**
 * The cluster-wide wait-for-graph detector on one member (issue 11; docs/detector.md §4.2), and its
 * Java API: {@code WaitsDetector.get(system).reports()}, {@link #subscribe}. Every member runs a
 * {@link DetectorAgent} that snapshots this member's facts every
 * {@code jdlm.kernel.detector.scan-interval} and sends them to every member's agent over the
 * detector's own receptionist key: Pekko cluster messages, never DLM messages, so it works while a
 * lockspace is stopped. Each agent merges the latest facts of every member and runs the detector;
 * every member therefore holds the same reports, and the member with the smallest name logs them
 * and asks for deadlock victims (VMS-style EDEADLK in the lockspaces of
 * {@code jdlm.kernel.detector.break-deadlocks-in}).
 *
 * <p>A member's facts: its kernel's ({@link Kernel#feedWaits}: the task registry and every layer
 * registered on it, the DLM included) when {@link Dlm#useKernel} installed one, else the DLM's
 * alone ({@link #feedDlm}).
 */
public final class WaitsDetector implements Extension {

  /** One report: {@code kind} DEADLOCK, STALL or LIVELOCK; {@code vertices}, the knot's (or the stalled task); the victim's description if one was chosen. */
  public record Report(String kind, String id, String text, Set<String> vertices, Optional<String> victim,
                       String member) {
    public Report {
      Objects.requireNonNull(kind, "kind");
      vertices = Set.copyOf(vertices);
    }
  }

  /** {@code jdlm.dlm-actors.detector} plus the kernel's {@code jdlm.kernel.detector}. */
  record Settings(boolean enabled, DetectorSettings detector, Duration staleAfter, int maxFactsBytes, int maxReports) {
    static Settings from(Config root) {
      Config c = root.getConfig("jdlm.dlm-actors.detector");
      Settings s = new Settings(c.getBoolean("enabled"), DetectorSettings.from(root), c.getDuration("stale-after"),
          (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-facts-bytes")), c.getInt("max-reports"));
      if (s.maxReports < 1) {
        throw new IllegalArgumentException("jdlm.dlm-actors.detector.max-reports must be positive, got " + s.maxReports);
      }
      if (s.staleAfter.compareTo(s.detector.scanInterval()) <= 0) {
        throw new IllegalArgumentException("jdlm.dlm-actors.detector.stale-after (" + s.staleAfter
            + ") must exceed jdlm.kernel.detector.scan-interval (" + s.detector.scanInterval() + ")");
      }
      return s;
    }
  }

  private static final ExtensionId<WaitsDetector> ID = new ExtensionId<>() {
    @Override
    public WaitsDetector createExtension(ActorSystem<?> system) {
      return new WaitsDetector(system);
    }
  };

  private final ActorSystem<?> system;
  private final Settings settings;
  private final MemberNames names;
  private final ArrayDeque<Report> reports = new ArrayDeque<>();
  private final CopyOnWriteArrayList<Consumer<Report>> subscribers = new CopyOnWriteArrayList<>();
  private final ActorRef<DetectorAgent.Command> agent;

  private WaitsDetector(ActorSystem<?> system) {
    this.system = system;
    this.settings = Settings.from(system.settings().config());
    this.names = new MemberNames(system);
    this.agent = settings.enabled()
        ? system.systemActorOf(DetectorAgent.create(this, settings), "waits-detector", Props.empty())
        : null;
  }

  /** This member's detector (started on first use; {@link Dlm} starts it with the DLM). */
  public static WaitsDetector get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final java.util.Set<String> breakAlso = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Breaks DLM-only deadlocks in {@code lockspace} too, beside {@code jdlm.kernel.detector.break-deadlocks-in}
   * (a scenario file's {@code break-deadlocks}); from this member's next round on. Only the acting
   * member asks victims, so every member should be told.
   */
  public void breakDeadlocksIn(String lockspace) {
    breakAlso.add(Objects.requireNonNull(lockspace, "lockspace"));
  }

  /** The lockspaces whose DLM-only deadlocks get a victim: configured and added at run time. */
  Set<String> breakLockspaces() {
    java.util.Set<String> all = new java.util.TreeSet<>(settings.detector().breakDeadlocksIn());
    all.addAll(breakAlso);
    return all;
  }

  /** Whether this member takes part ({@code jdlm.dlm-actors.detector.enabled}). */
  public boolean enabled() {
    return agent != null;
  }

  /** Every report kept (the newest {@code max-reports}), oldest first. */
  public synchronized List<Report> reports() {
    return List.copyOf(reports);
  }

  /** The deadlock reports kept, oldest first. */
  public List<Report> deadlocks() {
    return reports().stream().filter(r -> r.kind().equals("DEADLOCK")).toList();
  }

  /** Calls {@code listener} with every new report (on the detector's thread: keep it short); close to stop. */
  public AutoCloseable subscribe(Consumer<Report> listener) {
    subscribers.add(Objects.requireNonNull(listener, "listener"));
    return () -> subscribers.remove(listener);
  }

  void publish(Report r) {
    synchronized (this) {
      reports.addLast(r);
      while (reports.size() > settings.maxReports()) {
        reports.removeFirst();
      }
    }
    for (Consumer<Report> s : subscribers) {
      try {
        s.accept(r);
      } catch (RuntimeException e) {
        system.log().warn("waits detector: a report subscriber failed", e);
      }
    }
  }

  /** This member's name in the graph: its kernel's member name, else its {@code node:} role or address. */
  String memberName() {
    Kernel k = Dlm.get(system).kernel();
    return k != null ? k.member() : names.self();
  }

  MemberNames names() {
    return names;
  }

  /** Feeds this member's whole facts, as of {@code nowNanos} (System.nanoTime). */
  void feedMember(long nowNanos, FactSink sink) {
    Kernel k = Dlm.get(system).kernel();
    if (k != null) {
      k.feedWaits(nowNanos, sink); // the DLM's source is registered on the kernel (Dlm.useKernel)
    } else {
      feedDlm(sink, t -> t);
    }
  }

  /**
   * The DLM's facts of this member: every joined lockspace's queued requests and holders
   * ({@link LockspaceLocal#feedWaits}); {@code toDetectorNanos} maps System.nanoTime to the
   * detector's clock. Registered as the kernel's {@code dlm} fact source by {@link Dlm#useKernel}.
   */
  public void feedDlm(FactSink sink, LongUnaryOperator toDetectorNanos) {
    Dlm dlm = Dlm.get(system);
    String member = memberName();
    for (String name : dlm.lockspaceNames()) {
      if (dlm.lockspace(name) instanceof LockspaceLocal local) {
        local.feedWaits(sink, member, names, toDetectorNanos);
      }
    }
  }
}
