package org.jdlm.cli.scenario.run;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdlm.cli.scenario.Header;
import org.jdlm.cli.scenario.Statement;
import org.jdlm.dlm.api.Dlm;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;

/**
 * {@code --mode inproc}: N ActorSystems in this JVM over loopback. One cluster per size is started
 * once and reused, and every file gets a lockspace of its own (the file's name plus a run number):
 * lockspaces share nothing, so a file sees a DLM as fresh as a new cluster, in a fraction of the
 * start-up time. {@link #close()} stops every cluster this factory started.
 */
public final class InprocScenarioClusters implements ScenarioCluster.Factory, AutoCloseable {

  private static final long JOIN_TIMEOUT_SECONDS = 30;

  private final Map<Integer, InprocCluster> clusters = new HashMap<>();
  private int runs;

  @Override
  public String mode() {
    return "inproc";
  }

  @Override
  public synchronized ScenarioCluster start(Header header) throws Exception {
    InprocCluster cluster = clusters.get(header.nodes());
    if (cluster == null) {
      cluster = InprocCluster.start(header.nodes(), "jdlm-scenario-base", LockspaceSettings.defaults(),
          ConfigFactory.empty());
      clusters.put(header.nodes(), cluster);
    }
    String lockspace = header.lockspace() + "." + (++runs);
    List<CompletableFuture<LockspaceHandle>> joins = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      joins.add(Dlm.get(cluster.system(i)).joinLockspace(lockspace, new LockspaceSettings(header.lvbLength()))
          .toCompletableFuture());
    }
    List<ScenarioAgent> agents = new ArrayList<>();
    InprocCluster c = cluster;
    for (int i = 0; i < cluster.size(); i++) {
      LockspaceHandle ls = joins.get(i).get(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      agents.add(new ScenarioAgent("n" + (i + 1), ls, id -> nameOf(c, id)));
    }
    awaitFullMembership(agents, joins);
    return new Running(agents);
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

  /** Maps a DLM node id as dumps print it ({@code host:port}) to {@code nK}. */
  private static String nameOf(InprocCluster cluster, String nodeId) {
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.nodeId(i).toString().equals(nodeId)) {
        return "n" + (i + 1);
      }
    }
    return nodeId;
  }

  @Override
  public synchronized void close() {
    clusters.values().forEach(InprocCluster::close);
    clusters.clear();
  }

  /** One file's view of a shared cluster: its own lockspace on every node. */
  private static final class Running implements ScenarioCluster {
    private final List<ScenarioAgent> agents;

    Running(List<ScenarioAgent> agents) {
      this.agents = agents;
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
