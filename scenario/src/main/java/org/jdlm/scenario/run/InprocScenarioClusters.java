package org.jdlm.scenario.run;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.kernel.Kernel;
import org.jdlm.member.MemberFilesystems;
import org.jdlm.scenario.Header;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.Statement;

/**
 * {@code --mode inproc}: N ActorSystems in this JVM over loopback. One cluster per size is started
 * once and reused, and every file gets a lockspace of its own (the file's name plus a run number):
 * lockspaces share nothing, so a file sees a DLM as fresh as a new cluster, in a fraction of the
 * start-up time. {@link #close()} stops every cluster this factory started.
 */
public final class InprocScenarioClusters implements ScenarioCluster.Factory, AutoCloseable {

  private static final long JOIN_TIMEOUT_SECONDS = 30;

  private final Map<Integer, InprocCluster> clusters = new HashMap<>();
  /** Per shared cluster: each member's kernel and filesystems, as a lab member has them. */
  private final Map<Integer, List<NodeKernel>> kernels = new HashMap<>();
  private int runs;

  @Override
  public String mode() {
    return "inproc";
  }

  /**
   * A file with a fault statement gets a cluster of its own (killed and restarted members would
   * spoil a shared one), closed with the file; other files share one cluster per size.
   */
  @Override
  public synchronized ScenarioCluster start(Scenario scenario) throws Exception {
    boolean faults = scenario.statements().stream().anyMatch(s -> s instanceof Statement.Fault);
    if (!faults) {
      return start(scenario.header());
    }
    for (Statement s : scenario.statements()) {
      if (s instanceof Statement.Fault f && (f.kind() == Statement.FaultKind.PAUSE || f.kind() == Statement.FaultKind.RESUME)) {
        throw new IllegalArgumentException(f.kind().name().toLowerCase(java.util.Locale.ROOT) + " (line "
            + f.at().line() + ") needs a process to freeze with SIGSTOP: run this file with --mode jvm");
      }
    }
    Header header = scenario.header();
    InprocCluster own = InprocCluster.start(header.nodes(), "jdlm-scenario-base", LockspaceSettings.defaults(),
        ConfigFactory.empty());
    List<NodeKernel> ownKernels = new ArrayList<>();
    try {
      for (int i = 0; i < own.size(); i++) {
        ownKernels.add(NodeKernel.start(own, i));
      }
      String lockspace = header.lockspace() + "." + (++runs);
      return new Faulty(own, ownKernels, lockspace, header.lvbLength(), join(own, lockspace, header.lvbLength()));
    } catch (Exception | Error e) {
      ownKernels.forEach(NodeKernel::close);
      own.close();
      throw e;
    }
  }

  @Override
  public synchronized ScenarioCluster start(Header header) throws Exception {
    InprocCluster cluster = clusters.get(header.nodes());
    if (cluster == null) {
      cluster = InprocCluster.start(header.nodes(), "jdlm-scenario-base", LockspaceSettings.defaults(),
          ConfigFactory.empty());
      clusters.put(header.nodes(), cluster);
      List<NodeKernel> ks = new ArrayList<>();
      kernels.put(header.nodes(), ks);
      for (int i = 0; i < cluster.size(); i++) {
        ks.add(NodeKernel.start(cluster, i)); // before any join: the DLM's send buffers come from it
      }
    }
    String lockspace = header.lockspace() + "." + (++runs);
    return new Running(join(cluster, lockspace, header.lvbLength()), kernels.get(header.nodes()));
  }

  /** Every node of {@code cluster} joins {@code lockspace}; one agent per node once all see all. */
  private static List<ScenarioAgent> join(InprocCluster cluster, String lockspace, int lvbLength) throws Exception {
    List<CompletableFuture<LockspaceHandle>> joins = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      joins.add(Dlm.get(cluster.system(i)).joinLockspace(lockspace, new LockspaceSettings(lvbLength))
          .toCompletableFuture());
    }
    List<ScenarioAgent> agents = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      LockspaceHandle ls = joins.get(i).get(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      agents.add(new ScenarioAgent("n" + (i + 1), ls, names(cluster), org.jdlm.dlm.WaitsDetector.get(cluster.system(i))));
    }
    awaitFullMembership(agents, joins);
    return agents;
  }

  /**
   * Maps node ids to {@code nK}. Ids of killed incarnations are remembered, so dumps and fenced
   * lists still name a member that died.
   */
  private static java.util.function.Function<String, String> names(InprocCluster cluster) {
    Map<String, String> known = new java.util.concurrent.ConcurrentHashMap<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isAlive(i)) {
        known.put(cluster.nodeId(i).toString(), "n" + (i + 1));
      }
    }
    return id -> {
      for (int i = 0; i < cluster.size(); i++) {
        if (cluster.isAlive(i)) {
          known.put(cluster.nodeId(i).toString(), "n" + (i + 1));
        }
      }
      return known.getOrDefault(id, id);
    };
  }

  /** Every member must see all N members before the file's first line, or mastering is undefined. */
  private static void awaitFullMembership(List<ScenarioAgent> agents, List<CompletableFuture<LockspaceHandle>> joins)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(JOIN_TIMEOUT_SECONDS);
    for (CompletableFuture<LockspaceHandle> j : joins) {
      LockspaceHandle ls = j.get();
      while (ls.members().size() < agents.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("lockspace " + ls.name() + " on " + ls.nodeId() + " sees only "
              + ls.members() + " after " + JOIN_TIMEOUT_SECONDS + " s");
        }
        Thread.onSpinWait();
        Thread.sleep(5); // polling the member list; there is no membership event on the handle
      }
    }
  }

  @Override
  public synchronized void close() {
    kernels.values().forEach(ks -> ks.forEach(NodeKernel::close));
    kernels.clear();
    clusters.values().forEach(InprocCluster::close);
    clusters.clear();
  }

  /**
   * One in-process member's kernel and filesystems, started as {@code MemberNode.start} starts a
   * lab member's ({@code MemberKernel}, {@code MemberFilesystems}): the kernel becomes the DLM's
   * send-buffer source before the member joins any lockspace.
   */
  private record NodeKernel(Kernel kernel, MemberFilesystems filesystems, FsAgent agent) {
    static NodeKernel start(InprocCluster cluster, int i) {
      com.typesafe.config.Config config = ConfigFactory.load();
      Kernel kernel = Kernel.start("n" + (i + 1), Kernel.Settings.from(config), Kernel.systemClock(), true);
      try {
        Dlm.get(cluster.system(i)).useKernel(kernel);
        MemberFilesystems fs = new MemberFilesystems(cluster.system(i), kernel, config);
        return new NodeKernel(kernel, fs, new FsAgent("n" + (i + 1), fs, names(cluster)));
      } catch (RuntimeException e) {
        kernel.close();
        throw e;
      }
    }

    void close() {
      try {
        filesystems.close();
      } finally {
        kernel.close();
      }
    }
  }

  /** A file with faults: a cluster of its own, whose members can be killed and restarted. */
  private static final class Faulty implements ScenarioCluster {
    private final InprocCluster cluster;
    private final List<NodeKernel> kernels;
    private final String lockspace;
    private final int lvbLength;
    private final List<ScenarioAgent> agents;

    Faulty(InprocCluster cluster, List<NodeKernel> kernels, String lockspace, int lvbLength, List<ScenarioAgent> agents) {
      this.cluster = cluster;
      this.kernels = new ArrayList<>(kernels);
      this.lockspace = lockspace;
      this.lvbLength = lvbLength;
      this.agents = new ArrayList<>(agents);
    }

    @Override
    public NodeDriver node(int number) {
      return agents.get(number - 1);
    }

    @Override
    public int size() {
      return agents.size();
    }

    @Override
    public void fault(Statement.FaultKind kind, int number) throws Exception {
      int i = number - 1;
      switch (kind) {
        case KILL -> {
          cluster.kill(i); // abrupt: no graceful leave, so the others must fence and recover
          kernels.get(i).kernel().close(); // its tasks die with it, as a SIGKILLed member's do
        }
        case RESTART -> {
          // Same address, new incarnation, as a lab member restarts (the case recovery must tell
          // apart from the dead incarnation: docs/recovery.md §2).
          cluster.restartAtSameAddress(i);
          kernels.set(i, NodeKernel.start(cluster, i));
          LockspaceHandle ls = Dlm.get(cluster.system(i)).joinLockspace(lockspace, new LockspaceSettings(lvbLength))
              .toCompletableFuture().get(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          agents.set(i, new ScenarioAgent("n" + number, ls, names(cluster)));
        }
        default -> throw new IllegalArgumentException(kind + " needs --mode jvm (SIGSTOP/SIGCONT of a process)");
      }
    }

    @Override
    public boolean isResponsive(int number) {
      return cluster.isAlive(number - 1);
    }

    @Override
    public FsDriver fs(int number) {
      return kernels.get(number - 1).agent();
    }

    @Override
    public void close() {
      kernels.forEach(NodeKernel::close);
      cluster.close();
    }
  }

  /** One file's view of a shared cluster: its own lockspace on every node. */
  private static final class Running implements ScenarioCluster {
    private final List<ScenarioAgent> agents;
    private final List<NodeKernel> kernels;

    Running(List<ScenarioAgent> agents, List<NodeKernel> kernels) {
      this.agents = agents;
      this.kernels = kernels;
    }

    @Override
    public FsDriver fs(int number) {
      return kernels.get(number - 1).agent();
    }

    @Override
    public NodeDriver node(int number) {
      return agents.get(number - 1);
    }

    @Override
    public int size() {
      return agents.size();
    }

    @Override
    public void fault(Statement.FaultKind kind, int number) {
      // Faults end a shared cluster; they arrive with lockspace recovery (issue 4), which starts a
      // cluster of their own for files that use them.
      throw new UnsupportedOperationException(kind.name().toLowerCase(java.util.Locale.ROOT)
          + " is not supported in inproc mode yet");
    }

    @Override
    public boolean isResponsive(int number) {
      return true;
    }

    @Override
    public void close() {
      // The lockspace is abandoned, not left: leaving is refused while it holds locks, and the
      // shared cluster is closed with the factory.
    }
  }
}
