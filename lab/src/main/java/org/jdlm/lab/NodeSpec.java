package org.jdlm.lab;

import org.jdlm.member.HostPort;

/** One member of a lab cluster as the run directory records it: name and its two ports. */
public record NodeSpec(String name, HostPort cluster, int controlPort) {

  /** Where its control endpoint listens: the cluster host, the control port. */
  public HostPort control() {
    return new HostPort(cluster.host(), controlPort);
  }
}
