package org.jdlm.scenario.run;

import org.jdlm.scenario.Header;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.Statement;

/**
 * The cluster a scenario file runs on: N members that joined the file's lockspace. Implemented by
 * an in-process cluster (N ActorSystems in this JVM) and by real member JVMs under the lab
 * supervisor. Closing it stops every member it started, whatever happened.
 */
public interface ScenarioCluster extends AutoCloseable {

  /** Node {@code n1 … nN} (1-based, as written in files). */
  NodeDriver node(int number);

  /** Number of members the file asked for. */
  int size();

  /**
   * Node {@code n}'s filesystem and kernel side (docs/scenarios.md "Filesystem and kernel"); a
   * cluster whose members run no kernel refuses.
   */
  default FsDriver fs(int number) {
    throw new UnsupportedOperationException("this cluster's members run no kernel, so they mount no filesystem");
  }

  /** Carries out {@code kill|pause|resume|restart nX}; returns once the action took effect locally. */
  void fault(Statement.FaultKind kind, int number) throws Exception;

  /** Whether node {@code n} is currently alive and not paused (so it can be asked questions). */
  boolean isResponsive(int number);

  @Override
  void close();

  /** Starts clusters for files; one factory per mode. */
  interface Factory {
    /** Starts {@code header.nodes()} members joined to the file's lockspace, or throws with a clear message. */
    ScenarioCluster start(Header header) throws Exception;

    /**
     * Starts the cluster for a whole file; a factory that reuses clusters overrides this to see the
     * file's statements (a file with faults gets a cluster of its own).
     */
    default ScenarioCluster start(Scenario scenario) throws Exception {
      return start(scenario.header());
    }

    /** {@code inproc} or {@code jvm}, for output lines. */
    String mode();
  }
}
